"""The small types every layer of ``comments`` shares: who is acting (and whether they may
moderate), a refusal, and what a reply may answer.

A leaf module: it imports only the models (and one pure function of the limits), so
services, moderation, notifications, spam checkers and views can all import it without
importing each other.
"""

from __future__ import annotations

import hashlib
import math
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Q
from django.utils.translation import gettext_lazy

from articles.models import Article
from comments.models import Comment, display_name
from newsroom.http import network_of
from newsroom.ratelimit import email_identity


class CommentRefused(Exception):
    """Policy said no. ``message`` is shown to the reader; ``status`` is the HTTP status;
    ``retry_after`` (seconds), when set, tells the reader's browser when to try again."""

    def __init__(
        self,
        message: str,
        *,
        status: int = 400,
        code: str = "refused",
        retry_after: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code
        self.retry_after = retry_after

    @classmethod
    def rate_limited(
        cls, message: str | Callable[[int], str], *, retry_after: int
    ) -> CommentRefused:
        """The one refusal for a limit reached: 429, try again in ``retry_after`` seconds
        (the views send it as ``Retry-After``). ``message`` is the reader's message, or a
        function of the minutes left giving it in the right plural with ``%(minutes)d``."""
        if callable(message):
            minutes = max(1, math.ceil(retry_after / 60))
            message = message(minutes) % {"minutes": minutes}
        return cls(message, status=429, code="rate_limited", retry_after=retry_after)


REPLY_TARGET_GONE = gettext_lazy("The comment you are replying to is no longer available.")


def reply_target(parent: Comment | None, *, article: Article) -> Comment:
    """The one rule for what a reply may answer: a comment on the same article that every
    reader sees in full. Returns ``parent``, or raises ``CommentRefused``; the comment form
    shows it on its parent field, and ``post_comment`` asks again under the thread's lock."""
    if parent is None or parent.article_id != article.pk or not parent.is_visible:
        raise CommentRefused(str(REPLY_TARGET_GONE), code="parent")
    return parent


MODERATE_PERMISSION = "comments.moderate_comment"


def is_moderator(user: AbstractBaseUser | AnonymousUser | None) -> bool:
    """Whether ``user`` may moderate comments (an active account with the permission)."""
    return user is not None and user.is_active and user.has_perm(MODERATE_PERMISSION)


def account_key(user_pk: int) -> str:
    """An account as rows and limits name it ("user:<pk>"), wherever a person is matched."""
    return f"user:{user_pk}"


@dataclass(frozen=True)
class Commenter:
    """Who is acting: a signed-in account, or a guest known by a key kept in their browser."""

    user: AbstractBaseUser | None = None
    name: str = ""
    email: str = ""
    browser_key: str = ""
    ip: str | None = None

    @property
    def key(self) -> str:
        """A stable, non-secret identity: the account, or a hash of the browser key (what
        comments, votes and reports store to know a guest's own)."""
        if self.user is not None:
            return account_key(self.user.pk)
        if not self.browser_key:
            return ""
        return hashlib.sha256(self.browser_key.encode()).hexdigest()

    @property
    def identities(self) -> tuple[str, ...]:
        """Every name that counts as this person when what they do is limited or serialised:
        their account; a guest by the email they give (as its mailbox, ``email_identity``:
        ``ada+1@`` is ``ada@``) and by their browser key, since either may change between two
        posts. Empty when nothing is known."""
        if self.user is not None:
            return (self.key,)
        email = email_identity(self.email) if self.email.strip() else ""
        names = (f"email:{email}" if email else "", f"key:{self.key}" if self.key else "")
        return tuple(name for name in names if name)

    @property
    def identity(self) -> str:
        """The one name a rate limit counts this person by: the first of ``identities``
        (the account; a guest's email, else browser key); "" when nothing is known."""
        return next(iter(self.identities), "")

    @property
    def by_address(self) -> str:
        """Who counts as this person where one address must count once whatever the cookies
        (guests' votes, reports): their network (see ``network``), else their key."""
        return self.network or self.key

    @property
    def network(self) -> str:
        """The address as one household or device holds it: IPv4 as is, IPv6 as its /64 (a
        home or phone gets a whole /64, so one reader can pick any address in it); "" when
        unknown."""
        return network_of(self.ip)

    @property
    def is_authenticated(self) -> bool:
        return self.user is not None

    def owns(self, comment: Comment) -> bool:
        if self.user is not None:
            return comment.user_id == self.user.pk
        return bool(self.key) and not comment.user_id and comment.author_key == self.key

    def own_filter(self, key_field: str = "author_key") -> Q:
        """The rows that are this commenter's own, as ``owns`` decides for one comment: by
        account, or a guest's by the hashed browser key in ``key_field`` (``author_key`` on
        comments, ``voter_key`` on votes). Matches nothing for a guest without a key."""
        if self.user is not None:
            return Q(user=self.user)
        if not self.key:
            return Q(pk__in=[])
        return Q(user__isnull=True, **{key_field: self.key})

    @classmethod
    def from_user(cls, user: AbstractBaseUser | AnonymousUser, **fields) -> Commenter:
        if user.is_authenticated:
            return cls(user=user, name=display_name(user), email=user.email, **fields)
        return cls(**fields)


def new_browser_key() -> str:
    return secrets.token_urlsafe(24)
