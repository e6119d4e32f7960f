"""Readers' own data: everything the site holds about one reader, as JSON, and deleting it.

A signed-in reader downloads from their account page and deletes their account after an
emailed confirmation and a grace period (``ACCOUNTS_DELETION_GRACE_DAYS``); a background task
carries it out when due (``manage.py delete_accounts`` does the same for any left over). A
guest asks by email: the signed link sent to that address downloads and erases what was
written under it. Comments are kept as "Deleted account" or erased, as
``ACCOUNTS_DELETION_COMMENTS`` says; both go through ``comments.moderation.erase_commenter``.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core import signing
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from comments.moderation import erase_commenter, find_commenter
from comments.moderation.privacy import Person
from comments.notifications.models import Subscription
from comments.notifications.tasks import enqueue
from newsroom.models import AccountDeletion

FORMAT = "newsroom-personal-data"
LINK_MAX_AGE = 3 * 24 * 60 * 60  # seconds an emailed link stays valid
DELETE_SALT = "newsroom.own_data.delete"
GUEST_SALT = "newsroom.own_data.guest"


def _time(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def export(*, user: AbstractBaseUser | None = None, email: str = "") -> dict:
    """Everything held about an account (``user``) or about what was written under an email
    address: the account, comments (with the addresses they were sent from, while kept),
    votes, reports and subscriptions. JSON-ready."""
    # A guest proves only the address: what accounts wrote stays with their accounts.
    person = find_commenter(user=user, email=email, accounts=user is not None)
    document: dict = {
        "format": FORMAT,
        "version": 1,
        "exported_at": _time(timezone.now()),
        "account": None,
        "email": email or (user.email if user is not None else ""),
    }
    if user is not None:
        deletion = AccountDeletion.objects.filter(user=user).first()
        document["account"] = {
            "username": user.get_username(),
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "date_joined": _time(user.date_joined),
            "last_login": _time(user.last_login),
            "deletion_due_at": _time(deletion.due_at) if deletion else None,
        }
    document["comments"] = [
        {
            "id": c.pk,
            "article": c.article.headline,
            "url": c.get_absolute_url(),
            "in_reply_to": c.parent_id,
            "name": c.guest_name,
            "email": c.guest_email,
            "body": c.body,
            "status": c.status,
            "deleted": c.is_deleted,
            "created_at": _time(c.created_at),
            "edited_at": _time(c.edited_at),
            "ip_address": c.ip_address,
        }
        for c in person.comments().select_related("article").order_by("created_at", "pk")
    ]
    document["votes"] = [
        {"comment": v.comment_id, "value": v.value, "created_at": _time(v.created_at)}
        for v in person.votes().order_by("created_at", "pk")
    ]
    document["reports"] = [
        {
            "comment": f.comment_id,
            "reason": f.reason,
            "details": f.details,
            "created_at": _time(f.created_at),
        }
        for f in person.reports().order_by("created_at", "pk")
    ]
    document["subscriptions"] = [
        {
            "article": s.article.headline,
            "notify_of": s.kind,
            "email": s.email,
            "confirmed_at": _time(s.confirmed_at),
            "created_at": _time(s.created_at),
        }
        for s in _subscriptions(person).select_related("article").order_by("created_at", "pk")
    ]
    return document


def _subscriptions(person: Person):
    mine = Q(user_id__in=person.users)
    if person.email:
        mine |= Q(user__isnull=True, email__iexact=person.email)
    return Subscription.objects.filter(mine)


def holds_anything(email: str) -> bool:
    """Whether anything was written or followed under ``email`` (a guest's request)."""
    person = find_commenter(email=email, accounts=False)
    return person.comments().exists() or _subscriptions(person).exists()


# --- Links ----------------------------------------------------------------------------------


def deletion_token(user: AbstractBaseUser) -> str:
    # The password hash's tail: a link stops working once the password changes.
    return signing.dumps({"u": user.pk, "p": user.password[-12:]}, salt=DELETE_SALT)


def user_for_deletion_token(token: str, user_model) -> AbstractBaseUser | None:
    try:
        data = signing.loads(token, salt=DELETE_SALT, max_age=LINK_MAX_AGE)
    except signing.BadSignature:
        return None
    user = user_model.objects.filter(pk=data.get("u"), is_active=True).first()
    if user is None or user.password[-12:] != data.get("p"):
        return None
    return user


def guest_token(email: str) -> str:
    return signing.dumps({"e": email.strip().lower()}, salt=GUEST_SALT)


def email_for_guest_token(token: str) -> str | None:
    try:
        return signing.loads(token, salt=GUEST_SALT, max_age=LINK_MAX_AGE).get("e") or None
    except (signing.BadSignature, AttributeError):
        return None


# --- Deleting -------------------------------------------------------------------------------


def can_delete_itself(user: AbstractBaseUser) -> bool:
    """Staff accounts are closed by an administrator, not from the reader's page."""
    return user.is_active and not user.is_staff and not user.is_superuser


def schedule_deletion(user: AbstractBaseUser, now: datetime | None = None) -> AccountDeletion:
    """The reader confirmed: delete the account after the grace period (queued as a task)."""
    now = now or timezone.now()
    due = now + timedelta(days=settings.ACCOUNTS_DELETION_GRACE_DAYS)
    with transaction.atomic():
        deletion, _created = AccountDeletion.objects.update_or_create(
            user=user, defaults={"confirmed_at": now, "due_at": due}
        )
        transaction.on_commit(lambda: enqueue(complete_deletion, user.pk, run_after=due))
    return deletion


def cancel_deletion(user: AbstractBaseUser) -> bool:
    return AccountDeletion.objects.filter(user=user).delete()[0] > 0


def _comment_policy() -> dict:
    if settings.ACCOUNTS_DELETION_COMMENTS == "erase":
        return {"keep_text": False}
    return {"keep_text": True, "name": _("Deleted account")}


def delete_account(user: AbstractBaseUser) -> None:
    """Delete the account now: its comments kept as "Deleted account" or erased (policy), its
    votes and reports kept anonymous, its subscriptions and the account itself gone."""
    with transaction.atomic():
        erase_commenter(user=user, **_comment_policy())
        Subscription.objects.filter(user=user).delete()
        user.delete()


def erase_guest(email: str) -> None:
    """What was written under ``email`` (its owner followed the emailed link): comments kept
    as "Deleted account" or erased (policy), subscriptions with that address gone."""
    with transaction.atomic():
        if find_commenter(email=email, accounts=False).comments().exists():
            erase_commenter(email=email, accounts=False, **_comment_policy())
        Subscription.objects.filter(email__iexact=email, user__isnull=True).delete()


def complete_due_deletions(now: datetime | None = None) -> int:
    """Carry out every confirmed deletion whose grace period has passed; returns how many."""
    now = now or timezone.now()
    done = 0
    for deletion in AccountDeletion.objects.filter(due_at__lte=now).select_related("user"):
        with transaction.atomic():
            locked = (
                AccountDeletion.objects.select_for_update(skip_locked=True)
                .filter(pk=deletion.pk, due_at__lte=now)
                .first()
            )
            if locked is None:  # cancelled, or another worker has it
                continue
            delete_account(deletion.user)
            done += 1
    return done


@task()
def complete_deletion(user_id: int) -> int:
    """Queued for the end of the grace period; does nothing if the reader cancelled."""
    return complete_due_deletions_for(user_id)


def complete_due_deletions_for(user_id: int) -> int:
    deletion = AccountDeletion.objects.filter(user_id=user_id).select_related("user").first()
    if deletion is None or deletion.due_at > timezone.now():
        return 0
    return complete_due_deletions(now=deletion.due_at)
