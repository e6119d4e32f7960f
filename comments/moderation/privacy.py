"""Privacy: addresses are kept for a limited time, and a commenter can be erased.

Emails and addresses are for moderators only; pages, feeds and the API never show them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import CharField, Q, QuerySet, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone
from django.utils.translation import gettext as _

from comments.domain import account_key
from comments.models import (
    Appeal,
    Comment,
    CommentScore,
    Flag,
    LanguageLabel,
    ModerationEvent,
    Vote,
)
from comments.moderation.audit import EventAction, record_many
from comments.notifications.models import Subscription
from newsroom import pagecache


def purge_addresses(*, days: int | None = None, now: datetime | None = None) -> dict[str, int]:
    """Erase the addresses stored with comments, reports and votes older than ``days``
    (default ``COMMENTS_ADDRESS_RETENTION_DAYS``). Returns how many rows of each lost one."""
    days = settings.COMMENTS_ADDRESS_RETENTION_DAYS if days is None else days
    cutoff = (now or timezone.now()) - timedelta(days=days)
    with transaction.atomic():
        return {
            name: model.objects.filter(created_at__lt=cutoff, ip_address__isnull=False).update(
                ip_address=None
            )
            for name, model in (("comments", Comment), ("reports", Flag), ("votes", Vote))
        }


@dataclass(frozen=True)
class Person:
    """Everything that identifies one person's comments, votes, reports and subscriptions."""

    users: tuple[int, ...]
    email: str
    keys: tuple[str, ...]
    addresses: tuple[str, ...] = ()  # their guest comments' addresses

    def comments(self) -> QuerySet[Comment]:
        mine = Q(user_id__in=self.users)
        if self.email:
            mine |= Q(user__isnull=True, guest_email__iexact=self.email)
        return Comment.objects.filter(mine)

    def votes(self) -> QuerySet[Vote]:
        return Vote.objects.filter(
            Q(user_id__in=self.users) | Q(user__isnull=True, voter_key__in=self.keys)
        )

    def reports(self) -> QuerySet[Flag]:
        """Their reports: by account or key, and a guest's, which are counted by network and
        carry no browser key, by the addresses their guest comments came from."""
        return Flag.objects.filter(
            Q(user_id__in=self.users)
            | Q(reporter_key__in=self.keys)
            | Q(user__isnull=True, ip_address__in=self.addresses)
        )

    def subscriptions(self) -> QuerySet[Subscription]:
        mine = Q(user_id__in=self.users)
        if self.email:
            mine |= Q(email__iexact=self.email)
        return Subscription.objects.filter(mine)


def find_commenter(
    *, user: AbstractBaseUser | None = None, email: str = "", accounts: bool = True
) -> Person:
    """The person behind an account and/or an email address: the account, every account with
    that email (unless ``accounts`` is False: a guest proving only the address), and the
    browser keys their guest comments were posted with."""
    email = email.strip()
    users = {user.pk} if user is not None else set()
    if email and accounts:
        users |= set(
            get_user_model().objects.filter(email__iexact=email).values_list("pk", flat=True)
        )
    keys = {account_key(pk) for pk in users}
    addresses: set[str] = set()
    if email:
        guest_comments = Comment.objects.filter(user__isnull=True, guest_email__iexact=email)
        keys |= set(guest_comments.exclude(author_key="").values_list("author_key", flat=True))
        addresses = set(
            guest_comments.exclude(ip_address=None).values_list("ip_address", flat=True)
        )
    return Person(
        users=tuple(sorted(users)),
        email=email,
        keys=tuple(sorted(keys)),
        addresses=tuple(sorted(addresses)),
    )


@dataclass(frozen=True)
class Erasure:
    comments: int
    votes: int
    reports: int
    subscriptions: int = 0


def erase_commenter(
    *,
    user: AbstractBaseUser | None = None,
    email: str = "",
    keep_text: bool = False,
    actor: AbstractBaseUser | None = None,
    name: str = "",
    accounts: bool = True,
) -> Erasure:
    """Erase what identifies a commenter from everything they wrote, keeping threads intact:
    their comments lose name, email, account, address and browser key, and (unless
    ``keep_text``) their text, becoming "deleted" placeholders (with ``keep_text``, signed
    ``name``, by default "Anonymous"); their votes and reports stay counted but anonymous;
    their subscriptions are deleted. The account itself is not deleted, and bans stay on
    record."""
    if user is None and not email.strip():
        raise ValueError("erase_commenter needs an account or an email address.")
    person = find_commenter(user=user, email=email, accounts=accounts)
    erased = {
        "user": None,
        "guest_email": "",
        "author_key": "",
        "ip_address": None,
        "moderator_note": "",
    }
    if keep_text:
        erased["guest_name"] = name or _("Anonymous")
    else:
        erased |= {"guest_name": "", "body": "", "is_deleted": True, "is_featured": False}
    anonymous_key = Concat(Value("erased:"), Cast("pk", CharField()))
    with transaction.atomic():
        comments = list(person.comments().select_for_update().only("pk", "article_id"))
        pks = [comment.pk for comment in comments]
        Comment.objects.filter(pk__in=pks).update(**erased)
        votes = person.votes().update(user=None, voter_key=anonymous_key, ip_address=None)
        reports = person.reports().update(
            user=None, reporter_key=anonymous_key, ip_address=None, details=""
        )
        by_model = person.subscriptions().delete()[1]  # their unsent notifications go too
        subscriptions_deleted = by_model.get(Subscription._meta.label, 0)
        if not keep_text:  # the copies of their words the language checks and appeals keep
            LanguageLabel.objects.filter(comment_id__in=pks).delete()
            CommentScore.objects.filter(comment_id__in=pks).update(reasons={})
            Appeal.objects.filter(comment_id__in=pks).update(statement="")
            ModerationEvent.objects.filter(comment_id__in=pks, action=EventAction.APPEALED).update(
                reason=""
            )
        record_many(comments, actor=actor, action=EventAction.ERASED, reason=_("Erasure request"))
        for article_id in sorted({comment.article_id for comment in comments}):
            Comment.objects.recount(article_id)
            pagecache.article_changed(article_id)
    return Erasure(
        comments=len(pks), votes=votes, reports=reports, subscriptions=subscriptions_deleted
    )
