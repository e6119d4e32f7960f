"""Moderation policy: what happens to a comment before it is saved, and the audit trail."""

from __future__ import annotations

from datetime import datetime

from articles.models import Article
from comments.models import Comment, ModerationEvent, Status


def screen(
    *,
    article: Article,
    parent: Comment | None,
    author,
    body: str,
    now: datetime,
    editing: Comment | None = None,
) -> str:
    """Decide the status of a comment about to be saved, or raise ``CommentRefused``."""
    if article.comments_premoderated:
        return Status.PENDING
    return Status.APPROVED


def record(
    comment: Comment,
    *,
    actor=None,
    action: str,
    from_status: str = "",
    to_status: str = "",
    reason: str = "",
) -> ModerationEvent:
    return ModerationEvent.objects.create(
        comment=comment,
        actor=actor,
        action=action,
        from_status=from_status,
        to_status=to_status,
        reason=reason,
    )


def reported(comment: Comment) -> None:
    """Called after a new report on ``comment``."""
