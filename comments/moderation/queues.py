"""The moderators' queues: what waits for a decision, and how much of it."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import models
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from comments.models import Appeal, Comment, CommentQuerySet, Flag, Status

RECENT = timedelta(hours=24)


class Queue(models.TextChoices):
    PENDING = "pending", _("Pending")
    REPORTED = "reported", _("Reported")
    SPAM = "spam", _("Spam")
    RECENT = "recent", _("Recent")
    APPEALS = "appeals", _("Appeals")


# Pending and appeals are first come, first served; the most reported first; the rest
# newest first.
ORDERING = {
    Queue.PENDING: ("created_at", "pk"),
    Queue.REPORTED: ("-flag_count", "created_at", "pk"),
    Queue.SPAM: ("-created_at", "-pk"),
    Queue.RECENT: ("-created_at", "-pk"),
    Queue.APPEALS: ("appeal__created_at", "pk"),
}


def _open_reports() -> Exists:
    return Exists(Flag.objects.filter(comment=OuterRef("pk"), resolved_at__isnull=True))


def in_queue(queryset: CommentQuerySet, queue: str, now: datetime | None = None) -> CommentQuerySet:
    """The comments of ``queue``: pending; with open reports; spam; posted in the last day;
    with an author's appeal waiting."""
    if queue == Queue.PENDING:
        return queryset.filter(status=Status.PENDING)
    if queue == Queue.REPORTED:
        return queryset.filter(_open_reports())
    if queue == Queue.SPAM:
        return queryset.filter(status=Status.SPAM)
    if queue == Queue.RECENT:
        return queryset.filter(created_at__gte=(now or timezone.now()) - RECENT)
    if queue == Queue.APPEALS:  # a moderator other than the one who decided must decide
        return queryset.filter(Exists(Appeal.objects.open().filter(comment=OuterRef("pk"))))
    raise ValueError(f"Unknown queue: {queue!r}")


def queue_counts(now: datetime | None = None) -> dict[str, int]:
    """How many comments each queue holds (one indexed count per queue)."""
    now = now or timezone.now()
    counts = {queue.value: in_queue(Comment.objects.all(), queue, now).count() for queue in Queue}
    return counts
