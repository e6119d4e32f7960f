"""Pluggable spam checkers. None is used unless ``COMMENTS_SPAM_CHECKER`` names one.

A checker is a class with ``check(...) -> Verdict`` and, optionally, ``submit_spam`` and
``submit_ham`` to teach the service when moderators disagree. ``AkismetChecker`` is the one
bundled implementation; it needs ``AKISMET_API_KEY`` and network access.
"""

from __future__ import annotations

import enum
import logging
import urllib.error
import urllib.parse
import urllib.request
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from articles.models import Article
from comments.domain import Commenter
from comments.models import Comment

logger = logging.getLogger(__name__)


class Verdict(enum.Enum):
    HAM = "ham"  # nothing to see
    SUSPECT = "suspect"  # hold the comment for a moderator
    SPAM = "spam"  # save it as spam: it is never shown


class SpamChecker:
    """The interface. Subclasses override ``check``; feedback methods are optional."""

    def check(
        self, *, article: Article, parent: Comment | None, author: Commenter, body: str
    ) -> Verdict:
        return Verdict.HAM

    def submit_spam(self, comment: Comment) -> None:
        """A moderator marked ``comment`` as spam that the checker let through."""

    def submit_ham(self, comment: Comment) -> None:
        """A moderator approved ``comment`` that the checker called spam."""


class AkismetChecker(SpamChecker):
    """Asks Akismet (https://akismet.com/developers/). If Akismet cannot be reached the
    comment passes: an outage must not stop the discussion; the other checks still apply."""

    endpoint = "https://rest.akismet.com/1.1/"
    timeout = 5

    def __init__(self) -> None:
        self.api_key = settings.AKISMET_API_KEY
        self.site_url = settings.AKISMET_SITE_URL
        if not self.api_key or not self.site_url:
            raise ImproperlyConfigured(
                "AkismetChecker needs AKISMET_API_KEY and AKISMET_SITE_URL to be set."
            )

    def _post(self, method: str, data: dict[str, str]) -> urllib.request.addinfourl | None:
        payload = {"api_key": self.api_key, "blog": self.site_url, "blog_charset": "UTF-8"}
        payload.update({k: v for k, v in data.items() if v})
        request = urllib.request.Request(
            self.endpoint + method,
            data=urllib.parse.urlencode(payload).encode(),
            headers={"User-Agent": "Newsroom/1.0 | Akismet"},
        )
        try:
            return urllib.request.urlopen(request, timeout=self.timeout)
        except (urllib.error.URLError, TimeoutError, OSError) as error:
            logger.warning("Akismet %s failed: %s", method, error)
            return None

    def _comment_data(self, *, article, parent, name, email, ip, body) -> dict[str, str]:
        return {
            "user_ip": ip or "",
            "permalink": self.site_url.rstrip("/") + article.get_absolute_url(),
            "comment_type": "reply" if parent is not None else "comment",
            "comment_author": name,
            "comment_author_email": email,
            "comment_content": body,
        }

    def check(self, *, article, parent, author, body) -> Verdict:
        data = self._comment_data(
            article=article, parent=parent, name=author.name, email=author.email,
            ip=author.ip, body=body,
        )  # fmt: skip
        response = self._post("comment-check", data)
        if response is None:
            return Verdict.HAM
        with response:
            answer = response.read().decode().strip()
        if answer == "true":
            return Verdict.SPAM
        if answer != "false":
            logger.warning("Akismet answered %r; treating the comment as ham", answer)
        return Verdict.HAM

    def _feedback(self, method: str, comment: Comment) -> None:
        data = self._comment_data(
            article=comment.article, parent=comment.parent, name=comment.author_name,
            email=comment.email, ip=comment.ip_address, body=comment.body,
        )  # fmt: skip
        response = self._post(method, data)
        if response is not None:
            response.close()

    def submit_spam(self, comment: Comment) -> None:
        self._feedback("submit-spam", comment)

    def submit_ham(self, comment: Comment) -> None:
        self._feedback("submit-ham", comment)


@lru_cache(maxsize=4)
def _load(path: str) -> SpamChecker:
    return import_string(path)()


def get_spam_checker() -> SpamChecker | None:
    """The configured checker, or None (the default: no checker, no network)."""
    path = settings.COMMENTS_SPAM_CHECKER
    return _load(path) if path else None
