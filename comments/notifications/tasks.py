"""The worker's side: claim what is due, send it, mark it sent, or retry later.

When a recipient's email is due is decided here, once (``due_at``): "at once" sends the
first notification after a quiet spell immediately (within a minute, worker permitting) and
batches what follows until ``COMMENTS_NOTIFY_WINDOW`` has passed since that email; the hourly
and daily digests send one email a period. Moderators' alerts go "at once".

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
from django.db.models import Max, Min, Q
from django.utils import timezone
from django_tasks import task
from django_tasks.base import Task

from comments.notifications import emails
from comments.notifications.models import Delivery, Notification, Subscription

logger = logging.getLogger(__name__)


def enqueue(task_: Task, *args, run_after: datetime | None = None) -> None:
    """Queue ``task_`` to run no earlier than ``run_after``. A backend that cannot defer
    (the immediate one tests use) runs it now."""
    if run_after is not None and run_after > timezone.now() and task_.get_backend().supports_defer:
        task_ = task_.using(run_after=run_after)
    task_.enqueue(*args)


def window_of(delivery: str) -> timedelta:
    """The least time between two emails to one recipient."""
    if delivery == Delivery.HOURLY:
        return timedelta(hours=1)
    if delivery == Delivery.DAILY:
        return timedelta(days=1)
    return timedelta(seconds=settings.COMMENTS_NOTIFY_WINDOW)


def due_at(recipient: Q, delivery: str = Delivery.INSTANT) -> datetime | None:
    """When the recipient's unsent notifications are to be sent (None: there are none). At
    once: the oldest one's time, so the first after a quiet spell goes now, but never sooner
    than the window after the last email. Digests: a period after the oldest, and a period
    after the last email."""
    found = Notification.objects.filter(recipient).aggregate(
        oldest=Min("created_at", filter=Q(sent_at__isnull=True)), last=Max("sent_at")
    )
    if found["oldest"] is None:
        return None
    window = window_of(delivery)
    due = found["oldest"] if delivery == Delivery.INSTANT else found["oldest"] + window
    if found["last"] is not None:
        due = max(due, found["last"] + window)
    return due


def delivery_of(subscription_id: int) -> str:
    found = Subscription.objects.filter(pk=subscription_id).values_list("delivery", flat=True)
    return found.first() or Delivery.INSTANT


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
    delivery: str = Delivery.INSTANT,
) -> int:
    if attempt == 0 and task_.get_backend().supports_defer:
        # Two events at once may each have queued a send: the later one waits its turn, so
        # a recipient never gets two emails within the window.
        due = due_at(recipient, delivery)
        if due is None:
            return 0
        if due > timezone.now():
            enqueue(task_, key, run_after=due)
            return 0
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
        delivery=delivery_of(subscription_id),
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
    """Queue a send for every recipient with unsent rows (due as ``due_at`` says) and every
    pending confirmation.

    Sends are claimed row by row, so queuing one twice is harmless. For after a worker was
    killed mid-task (its task stays "running"), or a change of task backend. Returns how
    many tasks were queued.
    """
    queued = 0
    with transaction.atomic():
        unsent = Notification.objects.filter(sent_at__isnull=True)
        for field, task_ in (("subscription", send_digest), ("moderator", send_moderator_digest)):
            recipients = (
                unsent.exclude(**{field: None})
                .values_list(f"{field}_id", flat=True)
                .distinct()
                .order_by(f"{field}_id")
            )
            for pk in recipients:
                delivery = delivery_of(pk) if field == "subscription" else Delivery.INSTANT
                enqueue(task_, pk, run_after=due_at(Q(**{f"{field}_id": pk}), delivery))
                queued += 1
        pending = Subscription.objects.filter(confirmation_pending=True, confirmed_at=None)
        for pk in pending.values_list("pk", flat=True):
            enqueue(send_confirmation, pk)
            queued += 1
    return queued
