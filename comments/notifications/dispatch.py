"""Who hears of what. The services call the three events at the top (``comment_posted``,
``comments_approved``, ``comment_reported``) inside the transaction that made the change: the
rows commit with it (a comment that is saved is never left without its notifications), and
the digest task is queued once it has. Each event works in a savepoint of its own: a failure
is logged and rolled back alone, never turned into a refused comment.

Only comments readers can see notify subscribers: a comment held for review notifies them
when a moderator approves it. Nobody hears of their own comment. Each event only writes
``Notification`` rows and queues a digest task for when the recipient's window closes, so
a burst of comments becomes one email per recipient.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Iterable
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db import InterfaceError, OperationalError, transaction
from django.db.models import Min, Q
from django.utils import timezone

from comments.models import Comment, Status
from comments.notifications import tasks
from comments.notifications.models import Kind, Notification, Subscription

logger = logging.getLogger(__name__)


# --- The events ------------------------------------------------------------------------------


def comment_posted(comment: Comment) -> None:
    """A new comment was saved: subscribers hear of it if readers can see it, moderators if
    it waits for them."""
    failed = "Could not queue notifications for comment %s"
    if comment.status == Status.APPROVED:
        _on_its_own(lambda: comments_became_visible([comment.pk]), failed, comment.pk)
    elif comment.status == Status.PENDING:
        held = Notification.Reason.HELD
        _on_its_own(lambda: alert_moderators([comment.pk], held), failed, comment.pk)


def comments_approved(pks: list[int]) -> None:
    """Moderators approved comments that were not approved: their subscribers hear now."""
    _on_its_own(
        lambda: comments_became_visible(pks),
        "Could not queue notifications for approved comments %s",
        pks,
    )


def comment_reported(comment: Comment) -> None:
    """A reader's new report was recorded: moderators hear of it."""
    _on_its_own(
        lambda: alert_moderators([comment.pk], Notification.Reason.REPORTED),
        "Could not queue moderator alerts for comment %s",
        comment.pk,
    )


def _on_its_own(work: Callable[[], None], message: str, *args) -> None:
    """Run ``work`` in a savepoint; if it fails, log ``message`` and roll back ``work``
    alone, so the change that sent the event stands."""
    try:
        with transaction.atomic():
            work()
    except Exception:
        _log_failure(message, *args)


def _log_failure(message: str, *args) -> None:
    """Log the exception being handled: a lost database (PostgreSQL restarting) in one warning
    line, as the 503 page does; anything else with its traceback."""
    error = sys.exc_info()[1]
    if isinstance(error, (OperationalError, InterfaceError)):
        first_line = (str(error).strip().splitlines() or [type(error).__name__])[0]
        logger.warning(message + ": the database is unavailable (%s)", *args, first_line)
    else:
        logger.exception(message, *args)


# --- Who hears ------------------------------------------------------------------------------


def _email_of(comment: Comment) -> str:
    return (comment.user.email if comment.user_id else comment.guest_email).strip().lower()


def _written_by(comment: Comment) -> Q:
    """Subscriptions of whoever wrote ``comment``: their account, or their address."""
    condition = Q(pk__in=[])
    if comment.user_id:
        condition |= Q(user_id=comment.user_id)
    if email := _email_of(comment):
        condition |= Q(email=email)
    return condition


def is_own(subscription: Subscription, comment: Comment) -> bool:
    """Whether ``comment`` was written by the subscriber (same account or same address)."""
    if subscription.user_id and subscription.user_id == comment.user_id:
        return True
    email = _email_of(comment)
    return bool(email) and email == subscription.email


def _schedule(rows: list[Notification], field: str, task_) -> None:
    """Store ``rows`` and make sure a digest is queued for each recipient's window: the first
    row of a window queues it for the window's end; later rows join it. A recipient whose
    oldest unsent row is overdue (a failed send, a stopped worker) is queued again now."""
    if not rows:
        return
    window = timedelta(seconds=settings.COMMENTS_NOTIFY_WINDOW)
    with transaction.atomic():
        Notification.objects.bulk_create(rows, ignore_conflicts=True)
        for recipient_id in sorted({getattr(row, field) for row in rows}):
            oldest = Notification.objects.filter(
                **{field: recipient_id, "sent_at__isnull": True}
            ).aggregate(oldest=Min("created_at"))["oldest"]
            if oldest is None:
                continue
            now = timezone.now()
            due = oldest + window
            opened_now = not any(
                getattr(row, field) == recipient_id and row.created_at > oldest for row in rows
            )
            if opened_now or due <= now:
                _enqueue_on_commit(task_, recipient_id, due)


def _enqueue_on_commit(task_, recipient_id: int, due) -> None:
    """Queue the digest once the rows are committed, so the worker finds them. Should that
    fail (the database gone just after the commit), the rows wait unsent: the recipient's next
    event finds them overdue and queues them, as ``manage.py send_notifications`` does."""

    def enqueue() -> None:
        try:
            tasks.enqueue(task_, recipient_id, run_after=due)
        except (OperationalError, InterfaceError) as error:
            logger.warning("Could not queue a digest for %s: %s", recipient_id, error)

    transaction.on_commit(enqueue)


def comments_became_visible(pks: Iterable[int]) -> None:
    """Tell subscribers of these comments (just posted and approved, or just approved)."""
    now = timezone.now()
    rows: list[Notification] = []
    comments = (
        Comment.objects.visible()
        .filter(pk__in=list(pks))
        .select_related("article", "user", "parent__user")
        .order_by("created_at", "pk")
    )
    for comment in comments:
        if not comment.article.is_visible():
            continue
        parent = comment.parent if comment.parent_id else None
        wanted = Q(kind=Kind.ALL)
        if parent is not None:
            wanted |= Q(kind=Kind.REPLIES) & _written_by(parent)
        subscribers = (
            Subscription.objects.confirmed()
            .filter(article_id=comment.article_id)
            .filter(wanted)
            .exclude(_written_by(comment))
        )
        for subscription in subscribers:
            is_reply = parent is not None and is_own(subscription, parent)
            rows.append(
                Notification(
                    subscription=subscription,
                    comment=comment,
                    reason=Notification.Reason.REPLY if is_reply else Notification.Reason.COMMENT,
                    created_at=now,
                )
            )
    _schedule(rows, "subscription_id", tasks.send_digest)


def moderators():
    """Active accounts that may moderate and have an email address."""
    permission = Permission.objects.filter(
        codename="moderate_comment", content_type__app_label="comments"
    ).first()
    can = Q(is_superuser=True)
    if permission is not None:
        can |= Q(user_permissions=permission) | Q(groups__permissions=permission)
    return get_user_model().objects.filter(can, is_active=True).exclude(email="").distinct()


def alert_moderators(pks: Iterable[int], reason: str) -> None:
    """Tell moderators that these comments wait in the queue (``held``) or were reported."""
    if not settings.COMMENTS_NOTIFY_MODERATORS:
        return
    now = timezone.now()
    comments = list(Comment.objects.filter(pk__in=list(pks)).only("pk", "user_id", "status"))
    if reason == Notification.Reason.HELD:
        comments = [comment for comment in comments if comment.status == Status.PENDING]
    if not comments:
        return
    rows = [
        Notification(moderator=moderator, comment=comment, reason=reason, created_at=now)
        for moderator in moderators()
        for comment in comments
        if comment.user_id != moderator.pk
    ]
    _schedule(rows, "moderator_id", tasks.send_moderator_digest)
