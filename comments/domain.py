"""The small types every layer of ``comments`` shares: who is acting, and a refusal.

A leaf module: it imports only the models, so services, moderation checks, spam checkers and
views can all import it without importing each other.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Q

from comments.models import Comment, display_name
from newsroom.http import network_of


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
        """A stable, non-secret identity: the account, or a hash of the browser key."""
        if self.user is not None:
            return f"user:{self.user.pk}"
        if not self.browser_key:
            return ""
        return hashlib.sha256(self.browser_key.encode()).hexdigest()

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
