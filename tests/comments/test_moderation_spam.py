"""The pluggable spam checker: none by default, a hit saves the comment as spam, and the
optional Akismet implementation (its network calls replaced here)."""

from __future__ import annotations

import urllib.error
from urllib.parse import parse_qsl

import pytest
from django.core.exceptions import ImproperlyConfigured

from comments import services, spam
from comments.models import Comment, Status
from comments.spam import Verdict
from tests.comments.moderation_support import guest, screen

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("moderation_policy")]


# --- The spam checker ------------------------------------------------------------------------


class AlwaysSpam(spam.SpamChecker):
    def check(self, *, article, parent, author, body):
        return Verdict.SPAM


class AlwaysSuspect(spam.SpamChecker):
    def check(self, *, article, parent, author, body):
        return Verdict.SUSPECT


def test_no_spam_checker_is_configured_by_default():
    from django.conf import settings as django_settings

    assert spam.get_spam_checker() is None
    assert django_settings.AKISMET_API_KEY == ""


def test_spam_checker_hit_saves_the_comment_as_spam(article, settings):
    settings.COMMENTS_SPAM_CHECKER = "tests.comments.test_moderation_spam.AlwaysSpam"
    assert screen(article, guest()) == Status.SPAM


def test_spam_checker_doubt_holds_the_comment(article, settings):
    settings.COMMENTS_SPAM_CHECKER = "tests.comments.test_moderation_spam.AlwaysSuspect"
    assert screen(article, guest()) == Status.PENDING


class FakeResponse:
    def __init__(self, body: bytes) -> None:
        self.body = body
        self.headers: dict[str, str] = {}

    def read(self) -> bytes:
        return self.body

    def close(self) -> None:
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        pass


@pytest.fixture
def akismet(moderation_policy, monkeypatch):
    settings = moderation_policy  # applied over the pinned defaults
    settings.AKISMET_API_KEY = "test-key"
    settings.AKISMET_SITE_URL = "https://news.example.com"
    sent = []

    def answer(body: bytes):
        def urlopen(request, timeout):
            sent.append((request.full_url, dict(_parse(request.data)), timeout))
            if isinstance(body, Exception):
                raise body
            return FakeResponse(body)

        monkeypatch.setattr(spam.urllib.request, "urlopen", urlopen)
        return spam.AkismetChecker(), sent

    return answer


def _parse(data: bytes):
    return parse_qsl(data.decode())


def test_akismet_spam_answer_is_spam_and_sends_the_comment(article, akismet):
    checker, sent = akismet(b"true")
    author = guest(name="Spammer", email="s@example.org", ip="203.0.113.5")
    verdict = checker.check(article=article, parent=None, author=author, body="Cheap pills")
    assert verdict == Verdict.SPAM
    url, data, timeout = sent[0]
    assert url == "https://rest.akismet.com/1.1/comment-check"
    assert data == {
        "api_key": "test-key",
        "blog": "https://news.example.com",
        "blog_charset": "UTF-8",
        "user_ip": "203.0.113.5",
        "permalink": f"https://news.example.com{article.get_absolute_url()}",
        "comment_type": "comment",
        "comment_author": "Spammer",
        "comment_author_email": "s@example.org",
        "comment_content": "Cheap pills",
    }
    assert timeout == 5


def test_akismet_ham_answer_is_ham(article, akismet):
    checker, _sent = akismet(b"false")
    assert checker.check(article=article, parent=None, author=guest(), body="Hi") == Verdict.HAM


def test_akismet_unreachable_lets_the_comment_through(article, akismet):
    checker, _sent = akismet(urllib.error.URLError("no network"))
    assert checker.check(article=article, parent=None, author=guest(), body="Hi") == Verdict.HAM


def test_akismet_without_a_key_is_a_configuration_error(settings):
    settings.AKISMET_API_KEY = ""
    with pytest.raises(ImproperlyConfigured):
        spam.AkismetChecker()


def test_spam_is_saved_as_spam_and_never_counted(article, settings):
    settings.COMMENTS_SPAM_CHECKER = "tests.comments.test_moderation_spam.AlwaysSpam"
    comment = services.post_comment(article=article, parent=None, author=guest(), body="Pills")
    article.refresh_from_db()
    assert Comment.objects.get(pk=comment.pk).status == Status.SPAM
    assert article.comment_count == 0
