"""The worker's side: claim what is due, send it, mark it sent, or retry later.

Each task locks the rows it sends with ``SELECT ... FOR UPDATE SKIP LOCKED`` and marks them
sent in the same transaction, so a second worker running the same task at once finds nothing
to send, and a worker stopped midway leaves the rows unsent for the next run. A failed send
keeps the rows, counts the attempt and queues the task again after a growing delay. Sending
also deletes the recipient's rows sent more than ``COMMENTS_NOTIFY_RETENTION_DAYS`` ago.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Min, Q
from django.utils import timezone
from django_tasks import task
from django_tasks.base import Task

from comments.notifications import emails
from comments.notifications.models import Notification, Subscription

logger = logging.getLogger(__name__)


def enqueue(task_: Task, *args, run_after: datetime | None = None) -> None:
    """Queue ``task_`` to run no earlier than ``run_after``. A backend that cannot defer
    (the immediate one tests use) runs it now."""
    if run_after is not None and run_after > timezone.now() and task_.get_backend().supports_defer:
        task_ = task_.using(run_after=run_after)
    task_.enqueue(*args)


def backoff(attempt: int) -> timedelta:
    """Delay before retry number ``attempt`` (1, 2, ...): one minute, doubling, capped."""
    seconds = 60 * 2 ** max(attempt - 1, 0)
    return timedelta(seconds=min(seconds, settings.COMMENTS_NOTIFY_MAX_BACKOFF))


def _retry(task_: Task, key: int, attempt: int, error: Exception) -> None:
    logger.warning("Sending failed (attempt %d), will retry: %s", attempt, error)
    if task_.get_backend().supports_defer:
        enqueue(task_, key, attempt, run_after=timezone.now() + backoff(attempt))
    # Otherwise (immediate backend) the rows stay unsent for the next event or
    # ``manage.py send_notifications``: retrying at once would only fail again.


def _deliver(
    *,
    recipient: Q,
    key: int,
    attempt: int,
    task_: Task,
    build: Callable[[list[Notification]], EmailMultiAlternatives | None],
) -> int:
    with transaction.atomic():
        rows = list(
            Notification.objects.select_for_update(skip_locked=True)
            .filter(recipient, sent_at__isnull=True)
            .order_by("created_at", "pk")
        )
        if not rows:
            return 0
        message = build(rows)
        if message is None:  # nothing left worth telling (comments removed meanwhile)
            return 0
        attempt += 1
        try:
            message.send()
        except Exception as error:
            Notification.objects.filter(pk__in=[row.pk for row in rows]).update(
                attempts=attempt, last_error=str(error)[:2000]
            )
            _retry(task_, key, attempt, error)
            return 0
        now = timezone.now()
        Notification.objects.filter(pk__in=[row.pk for row in rows]).update(
            sent_at=now, attempts=attempt, last_error=""
        )
        # The recipient's rows sent long ago are no use any more: drop them here, a few at a
        # time, rather than keep every row ever sent or need one more cron job.
        kept_since = now - timedelta(days=settings.COMMENTS_NOTIFY_RETENTION_DAYS)
        Notification.objects.filter(recipient, sent_at__lt=kept_since).delete()
    return len(rows)


@task()
def send_digest(subscription_id: int, attempt: int = 0) -> int:
    """Send a subscriber everything not yet sent, as one email. Returns how many comments."""

    return _deliver(
        recipient=Q(subscription_id=subscription_id),
        key=subscription_id,
        attempt=attempt,
        task_=send_digest,
        build=emails.subscriber_digest,
    )


@task()
def send_moderator_digest(moderator_id: int, attempt: int = 0) -> int:
    """Tell a moderator, in one email, of the comments waiting for them since the last."""

    return _deliver(
        recipient=Q(moderator_id=moderator_id),
        key=moderator_id,
        attempt=attempt,
        task_=send_moderator_digest,
        build=emails.moderator_digest,
    )


@task()
def send_confirmation(subscription_id: int, attempt: int = 0) -> int:
    """Email a guest the link that confirms their subscription (once per request)."""

    with transaction.atomic():
        subscription = (
            Subscription.objects.select_for_update(skip_locked=True)
            .filter(pk=subscription_id, confirmation_pending=True, confirmed_at__isnull=True)
            .first()
        )
        if subscription is None:
            return 0
        try:
            emails.confirmation(subscription).send()
        except Exception as error:
            _retry(send_confirmation, subscription_id, attempt + 1, error)
            return 0
        Subscription.objects.filter(pk=subscription.pk).update(confirmation_pending=False)
    return 1


def requeue_unsent() -> int:
    """Queue a send for every recipient with unsent rows (due when their digest window
    closes) and every pending confirmation.

    Sends are claimed row by row, so queuing one twice is harmless. For after a worker was
    killed mid-task (its task stays "running"), or a change of task backend. Returns how
    many tasks were queued.
    """
    window = timedelta(seconds=settings.COMMENTS_NOTIFY_WINDOW)
    queued = 0
    with transaction.atomic():
        unsent = Notification.objects.filter(sent_at__isnull=True)
        for field, task_ in (("subscription", send_digest), ("moderator", send_moderator_digest)):
            oldest = (
                unsent.exclude(**{field: None})
                .values_list(f"{field}_id")
                .annotate(oldest=Min("created_at"))
                .order_by(f"{field}_id")
            )
            for pk, since in oldest:
                enqueue(task_, pk, run_after=since + window)
                queued += 1
        pending = Subscription.objects.filter(confirmation_pending=True, confirmed_at=None)
        for pk in pending.values_list("pk", flat=True):
            enqueue(send_confirmation, pk)
            queued += 1
    return queued
