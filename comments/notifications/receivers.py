"""Connects the comment events to notifications (``CommentsConfig.ready`` imports this).

The events are sent inside the transaction that made the change, so the notification rows
commit with the comment (nothing is lost if the database goes away just after). Each receiver
works in a savepoint: a failure of its own is logged and rolled back alone, never turned into
a refused comment.
"""

from __future__ import annotations

import logging
import sys

from django.db import InterfaceError, OperationalError, transaction
from django.dispatch import receiver

from comments import signals
from comments.models import Status
from comments.notifications import dispatch
from comments.notifications.models import Notification

logger = logging.getLogger(__name__)


def _log_failure(message: str, *args) -> None:
    """Log the exception being handled: a lost database (PostgreSQL restarting) in one warning
    line, as the 503 page does; anything else with its traceback."""
    error = sys.exc_info()[1]
    if isinstance(error, (OperationalError, InterfaceError)):
        first_line = (str(error).strip().splitlines() or [type(error).__name__])[0]
        logger.warning(message + ": the database is unavailable (%s)", *args, first_line)
    else:
        logger.exception(message, *args)


@receiver(signals.comment_posted, dispatch_uid="notifications.comment_posted")
def comment_posted(sender, comment, **kwargs) -> None:
    try:
        with transaction.atomic():
            if comment.status == Status.APPROVED:
                dispatch.comments_became_visible([comment.pk])
            elif comment.status == Status.PENDING:
                dispatch.alert_moderators([comment.pk], Notification.Reason.HELD)
    except Exception:
        _log_failure("Could not queue notifications for comment %s", comment.pk)


@receiver(signals.comments_approved, dispatch_uid="notifications.comments_approved")
def comments_approved(sender, pks, **kwargs) -> None:
    try:
        with transaction.atomic():
            dispatch.comments_became_visible(pks)
    except Exception:
        _log_failure("Could not queue notifications for approved comments %s", pks)


@receiver(signals.comment_reported, dispatch_uid="notifications.comment_reported")
def comment_reported(sender, comment, **kwargs) -> None:
    try:
        with transaction.atomic():
            dispatch.alert_moderators([comment.pk], Notification.Reason.REPORTED)
    except Exception:
        _log_failure("Could not queue moderator alerts for comment %s", comment.pk)
