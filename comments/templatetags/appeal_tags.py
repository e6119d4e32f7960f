"""The link from an author's own removed comment to its statement of reasons and appeal."""

from __future__ import annotations

from django import template

from comments.models import Comment
from comments.moderation import appeals

register = template.Library()


@register.filter
def appeal_path(comment: Comment) -> str:
    """The signed appeal page of ``comment`` (rendered only for its author)."""
    return appeals.appeal_path(comment)
