"""The audit trail: every moderation action leaves a ModerationEvent (who, what, when, why)."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import AbstractBaseUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from articles.models import Article
from comments.models import Comment, ModerationEvent


class EventAction(models.TextChoices):
    """What an event records. ``posted`` and ``edited`` come from the readers' services."""

    POSTED = "posted", _("Posted")
    EDITED = "edited", _("Edited by its author")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    MARKED_SPAM = "marked_spam", _("Marked as spam")
    REMOVED = "removed", _("Removed")
    HELD = "held", _("Held for review")
    HIDDEN = "hidden", _("Hidden after reports")
    FEATURED = "featured", _("Made an editor's pick")
    UNFEATURED = "unfeatured", _("No longer an editor's pick")
    NOTED = "noted", _("Moderator's note changed")
    AUTHOR_BANNED = "author_banned", _("Author banned")
    BANNED = "banned", _("Ban created")
    BAN_CHANGED = "ban_changed", _("Ban changed")
    BAN_LIFTED = "ban_lifted", _("Ban lifted")
    CLOSED = "closed", _("Discussion closed")
    REOPENED = "reopened", _("Discussion reopened")
    ERASED = "erased", _("Author's data erased")
    APPEALED = "appealed", _("Appealed by its author")
    APPEAL_GRANTED = "appeal_granted", _("Appeal granted: reinstated")
    APPEAL_DENIED = "appeal_denied", _("Appeal turned down")


def action_label(action: str) -> str:
    """The human name of an event's action (unknown actions show as stored)."""
    try:
        return str(EventAction(action).label)
    except ValueError:
        return action


def record(
    comment: Comment | None,
    *,
    actor: AbstractBaseUser | None = None,
    action: str,
    from_status: str = "",
    to_status: str = "",
    reason: str = "",
    article: Article | None = None,
) -> ModerationEvent:
    """Write one audit event. ``actor`` None means the system (automatic checks, commands)."""
    return ModerationEvent.objects.create(
        comment=comment,
        article_id=article.pk if article is not None else getattr(comment, "article_id", None),
        actor=actor,
        action=action,
        from_status=from_status,
        to_status=to_status,
        reason=reason,
    )


def record_many(
    comments: Iterable[Comment],
    *,
    actor: AbstractBaseUser | None,
    action: str,
    to_status: str = "",
    reason: str = "",
    from_statuses: dict[int, str] | None = None,
) -> list[ModerationEvent]:
    """Write one event per comment in a single query (bulk actions)."""
    from_statuses = from_statuses or {}
    return ModerationEvent.objects.bulk_create(
        ModerationEvent(
            comment=comment,
            article_id=comment.article_id,
            actor=actor,
            action=action,
            from_status=from_statuses.get(comment.pk, ""),
            to_status=to_status,
            reason=reason,
        )
        for comment in comments
    )
