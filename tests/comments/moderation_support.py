"""Builders for the moderation, admin and privacy suites (rows written directly, so that each
test controls statuses, times and addresses without passing the checks under test)."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from comments import moderation
from comments.domain import Commenter, CommentRefused
from comments.models import Comment, Flag, ModerationEvent, Status
from tests.helpers import make_user

_counter = itertools.count(1)

# A fixed moment at the start of a minute, so that rate-limit windows are predictable.
NOON = datetime(2031, 3, 4, 12, 0, 0, tzinfo=UTC)


def guest(
    name: str = "Grace",
    *,
    email: str | None = None,
    ip: str | None = "203.0.113.7",
    key: str | None = None,
) -> Commenter:
    n = next(_counter)
    return Commenter(
        name=name,
        email=email if email is not None else f"{name.lower()}{n}@example.org",
        browser_key=key if key is not None else f"browser-{n}",
        ip=ip,
    )


def member(user: User, *, ip: str | None = "198.51.100.20") -> Commenter:
    return Commenter.from_user(user, ip=ip)


def make_comment_row(
    article,
    body: str | None = None,
    *,
    author: Commenter | None = None,
    parent: Comment | None = None,
    status: str = Status.APPROVED,
    created_at: datetime | None = None,
    **fields,
) -> Comment:
    """A comment row as ``post_comment`` would save it, without the checks."""
    author = author or guest()
    comment = Comment.objects.create(
        article=article,
        parent=parent,
        user=author.user,
        guest_name="" if author.user else author.name,
        guest_email="" if author.user else author.email,
        author_key="" if author.user else author.key,
        body=body or f"Comment number {next(_counter)}.",
        status=status,
        ip_address=author.ip,
        created_at=created_at or timezone.now(),
        **fields,
    )
    Comment.objects.recount(article.pk)
    return comment


def report(comment: Comment, times: int = 1, *, start: int = 0) -> list[Flag]:
    """``times`` reports from distinct readers (each on a network of their own), with
    ``flag_count`` kept as services keep it."""
    flags = [
        Flag.objects.create(
            comment=comment,
            reporter_key=f"reporter-{comment.pk}-{start + i}",
            reason=Flag.Reason.ABUSE,
            ip_address=f"2001:db8:{comment.pk % 65536:x}:{start + i:x}::99",
        )
        for i in range(times)
    ]
    Comment.objects.filter(pk=comment.pk).update(flag_count=comment.flags.count())
    comment.refresh_from_db()
    return flags


def make_moderator(username: str | None = None, **fields) -> User:
    return make_user(username, groups=["Moderators"], is_staff=True, **fields)


def events(comment: Comment) -> list[tuple]:
    """The comment's audit trail, oldest first: (action, actor username, from, to, reason)."""
    return [
        (e.action, e.actor.username if e.actor else None, e.from_status, e.to_status, e.reason)
        for e in ModerationEvent.objects.filter(comment=comment).order_by("created_at", "pk")
    ]


def screen(
    article, author, body: str = "A fair point about the bridge.", *, now=NOON, **kwargs
) -> str:
    """The status ``moderation.assess`` gives a new top-level comment at ``now``."""
    return moderation.assess(
        article=article, parent=None, author=author, body=body, now=now, **kwargs
    ).status


def refusal(
    article, author, body: str = "A fair point about the bridge.", **kwargs
) -> CommentRefused:
    """The ``CommentRefused`` that ``screen`` raises (failing the test if it does not)."""
    with pytest.raises(CommentRefused) as caught:
        screen(article, author, body, **kwargs)
    return caught.value
