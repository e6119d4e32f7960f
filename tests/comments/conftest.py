"""Fixtures for the comment tests; the builders are in helpers.py and moderation_support.py.

Nothing here is autouse: the moderation, concurrency and query-count suites share this folder.
Reader-facing modules opt in with ``pytestmark = pytest.mark.usefixtures("reader_settings")``
(that fixture is in tests/conftest.py, since the accounts tests use it too).
"""

from __future__ import annotations

import pytest

from tests.comments.language_support import (  # noqa: F401 (fixtures)
    embedding_cache,
    external,
    scorer,
)
from tests.comments.moderation_support import make_moderator
from tests.helpers import make_article


@pytest.fixture
def article(db):
    return make_article(headline="Council approves the new bridge", slug="new-bridge")


@pytest.fixture
def moderation_policy(settings):
    """The documented moderation defaults, pinned; rate limits off unless a test is about
    them."""
    settings.COMMENTS_PREMODERATE = False
    settings.COMMENTS_PREMODERATE_FIRST_TIMERS = False
    settings.COMMENTS_TRUSTED_AFTER = 3
    settings.COMMENTS_MAX_LINKS = 3
    settings.COMMENTS_DUPLICATE_WINDOW = 300
    settings.COMMENTS_RATE_LIMITS = ""
    settings.COMMENTS_EDIT_RATE_LIMITS = ""
    settings.COMMENTS_REPORT_RATE_LIMITS = ""
    settings.COMMENTS_SPAM_CHECKER = ""
    settings.COMMENTS_REPORTS_TO_HIDE = 3
    return settings


@pytest.fixture
def moderator(db):
    """A member of the Moderators group (staff, can moderate, cannot edit articles)."""
    return make_moderator("mod")


@pytest.fixture
def mod_client(client, moderator):
    client.force_login(moderator)
    return client
