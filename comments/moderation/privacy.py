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

from comments.models import Comment, Flag, Vote
from comments.moderation.audit import EventAction, record_many


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
    """Everything that identifies one person's comments, votes and reports."""

    users: tuple[int, ...]
    email: str
    keys: tuple[str, ...]

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
        return Flag.objects.filter(Q(user_id__in=self.users) | Q(reporter_key__in=self.keys))


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
    keys = {f"user:{pk}" for pk in users}
    if email:
        keys |= set(
            Comment.objects.filter(user__isnull=True, guest_email__iexact=email)
            .exclude(author_key="")
            .values_list("author_key", flat=True)
        )
    return Person(users=tuple(sorted(users)), email=email, keys=tuple(sorted(keys)))


@dataclass(frozen=True)
class Erasure:
    comments: int
    votes: int
    reports: int


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
    ``name``, by default "Anonymous"); their votes and reports stay
    counted but anonymous. The account itself is not deleted, and bans stay on record."""
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
        record_many(comments, actor=actor, action=EventAction.ERASED, reason=_("Erasure request"))
        for article_id in sorted({comment.article_id for comment in comments}):
            Comment.objects.recount(article_id)
    return Erasure(comments=len(pks), votes=votes, reports=reports)
