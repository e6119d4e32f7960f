"""Who may post at all, and how often: bans (accounts, emails, addresses and ranges, with an
end) and rate limits (per address and per email or account)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ImproperlyConfigured

from comments import moderation
from comments.models import Status
from newsroom import ratelimit
from tests.comments.moderation_support import (
    NOON,
    guest,
    make_comment_row,
    make_moderator,
    member,
    refusal,
    screen,
)
from tests.helpers import make_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("moderation_policy")]


# --- Rate limits -----------------------------------------------------------------------------


@pytest.fixture
def limits(moderation_policy):
    settings = moderation_policy  # applied over the pinned defaults
    settings.COMMENTS_RATE_LIMITS = "5/minute,30/hour"
    settings.COMMENTS_DUPLICATE_WINDOW = 0


def burst(article, authors, *, now=NOON) -> None:
    for author in authors:
        assert screen(article, author, now=now) == Status.APPROVED


@pytest.mark.usefixtures("limits")
def test_sixth_comment_a_minute_from_one_address_is_refused_with_429(article):
    burst(article, [guest(ip="203.0.113.50") for _ in range(5)])
    error = refusal(article, guest(ip="203.0.113.50"), now=NOON + timedelta(seconds=30))
    assert (error.status, error.code) == (429, "rate_limited")
    assert error.message == (
        "You are posting faster than we can keep up with. Please wait a minute and try again."
    )
    assert error.retry_after == 30


@pytest.mark.usefixtures("limits")
def test_rate_limit_counts_an_ipv6_64_as_one_address(article):
    burst(article, [guest(ip=f"2001:db8:7:8::{n + 1}") for n in range(5)])
    assert refusal(article, guest(ip="2001:db8:7:8:ffff::1")).code == "rate_limited"
    assert screen(article, guest(ip="2001:db8:7:9::1")) == Status.APPROVED


@pytest.mark.usefixtures("limits")
def test_rate_limit_follows_an_email_across_addresses(article):
    burst(article, [guest(email="busy@example.org", ip=f"192.0.2.{n}") for n in range(5)])
    error = refusal(article, guest(email="Busy@Example.org", ip="192.0.2.77"))
    assert error.code == "rate_limited"


@pytest.mark.usefixtures("limits")
def test_rate_limit_follows_plus_addressed_and_dotted_variants_of_an_email(article):
    variants = ["busy+1@example.org", "b.usy@example.org", "b.u.s.y+x@Example.org"]
    burst(article, [guest(email=variants[n % 3], ip=f"192.0.2.{n}") for n in range(5)])
    error = refusal(article, guest(email="bu.sy+news@example.org", ip="192.0.2.77"))
    assert error.code == "rate_limited"


@pytest.mark.usefixtures("limits")
def test_rate_limit_follows_an_account_across_addresses(article):
    user = make_user()
    burst(article, [member(user, ip=f"192.0.2.{n}") for n in range(5)])
    assert refusal(article, member(user, ip="192.0.2.99")).code == "rate_limited"


@pytest.mark.usefixtures("limits")
def test_other_readers_are_not_limited_by_someone_elses_burst(article):
    burst(article, [guest(ip="203.0.113.50") for _ in range(5)])
    assert screen(article, guest(ip="203.0.113.51")) == Status.APPROVED


@pytest.mark.usefixtures("limits")
def test_minute_limit_resets_in_the_next_minute(article):
    author = guest()
    burst(article, [author] * 5)
    assert refusal(article, author).code == "rate_limited"
    assert screen(article, author, now=NOON + timedelta(minutes=1)) == Status.APPROVED


@pytest.mark.usefixtures("limits")
def test_hourly_limit_refuses_the_thirty_first_comment_in_an_hour(article):
    author = guest()
    for minute in range(6):
        burst(article, [author] * 5, now=NOON + timedelta(minutes=minute))
    error = refusal(article, author, now=NOON + timedelta(minutes=10))
    assert error.code == "rate_limited"
    assert error.retry_after == 50 * 60
    assert "Please wait 50 minutes and try again." in error.message


def test_rate_limits_are_configurable(article, settings):
    settings.COMMENTS_RATE_LIMITS = "2/minute"
    settings.COMMENTS_DUPLICATE_WINDOW = 0
    author = guest()
    burst(article, [author] * 2)
    assert refusal(article, author).code == "rate_limited"


@pytest.mark.usefixtures("limits")
def test_edits_do_not_count_against_the_posting_limit(article):
    author = guest()
    burst(article, [author] * 5)
    comment = make_comment_row(article, author=author)
    assert screen(article, author, "Fixed a typo.", editing=comment) == Status.APPROVED


@pytest.fixture
def edit_limits(moderation_policy):
    moderation_policy.COMMENTS_EDIT_RATE_LIMITS = "3/minute,10/hour"
    moderation_policy.COMMENTS_DUPLICATE_WINDOW = 0


@pytest.mark.usefixtures("edit_limits")
def test_fourth_edit_of_one_comment_in_a_minute_is_refused(article):
    author = guest()
    comment = make_comment_row(article, author=author)
    for n in range(3):
        assert screen(article, author, f"Fix {n}.", editing=comment) == Status.APPROVED
    error = refusal(article, author, "Fix 4.", editing=comment, now=NOON + timedelta(seconds=20))
    assert (error.status, error.code, error.retry_after) == (429, "rate_limited", 40)
    assert error.message == (
        "You are editing faster than we can keep up with. Please wait a minute and try again."
    )


@pytest.mark.usefixtures("edit_limits")
def test_edit_limit_follows_the_author_across_their_comments(article):
    author = guest()
    comments = [make_comment_row(article, author=author) for _ in range(4)]
    for n, comment in enumerate(comments[:3]):
        assert screen(article, author, f"Fix {n}.", editing=comment) == Status.APPROVED
    assert refusal(article, author, "Fix.", editing=comments[3]).code == "rate_limited"
    other = guest()
    theirs = make_comment_row(article, author=other)
    assert screen(article, other, "Their fix.", editing=theirs) == Status.APPROVED


@pytest.mark.usefixtures("limits")
def test_moderators_are_not_rate_limited(article):
    moderator = member(make_moderator())
    burst(article, [moderator] * 8)


def test_malformed_rate_setting_is_reported(settings):
    with pytest.raises(ImproperlyConfigured):
        ratelimit.parse_rates("5 per minute")


# --- Bans ------------------------------------------------------------------------------------


def test_banned_account_is_refused_with_a_calm_403(article):
    user = make_user()
    moderation.ban(actor=None, user=user, reason="Abuse")
    error = refusal(article, member(user))
    assert (error.status, error.code) == (403, "banned")
    assert error.message == (
        "You are not able to post comments on this site. "
        "If you think this is a mistake, please contact us."
    )


def test_banned_email_is_refused_whatever_its_case(article):
    moderation.ban(actor=None, email="Troll@Example.org")
    assert refusal(article, guest(email="troll@EXAMPLE.org")).code == "banned"


def test_banned_account_email_also_stops_that_account(article):
    user = make_user(email="troll@example.org")
    moderation.ban(actor=None, email="troll@example.org")
    assert refusal(article, member(user)).code == "banned"


def test_banned_address_is_refused(article):
    moderation.ban(actor=None, network="203.0.113.9")
    assert refusal(article, guest(ip="203.0.113.9")).code == "banned"
    assert screen(article, guest(ip="203.0.113.10")) == Status.APPROVED


@pytest.mark.parametrize(
    ("network", "inside", "outside"),
    [
        ("203.0.113.0/24", "203.0.113.200", "203.0.114.1"),
        ("2001:db8:abcd::/48", "2001:db8:abcd:12::1", "2001:db8:abce::1"),
    ],
)
def test_banned_network_range_covers_every_address_in_it(article, network, inside, outside):
    moderation.ban(actor=None, network=network)
    assert refusal(article, guest(ip=inside)).code == "banned"
    assert screen(article, guest(ip=outside)) == Status.APPROVED


def test_temporary_ban_says_until_when(article, settings):
    settings.TIME_ZONE = "UTC"
    moderation.ban(actor=None, email="t@example.org", ends_at=NOON + timedelta(days=7))
    error = refusal(article, guest(email="t@example.org"))
    assert error.message == (
        "You are not able to post comments on this site until March 11, 2031, noon. "
        "If you think this is a mistake, please contact us."
    )


def test_expired_ban_no_longer_applies(article):
    moderation.ban(actor=None, email="t@example.org", ends_at=NOON - timedelta(seconds=1))
    assert screen(article, guest(email="t@example.org")) == Status.APPROVED


def test_lifted_ban_no_longer_applies(article):
    ban = moderation.ban(actor=None, email="t@example.org")
    moderation.lift_ban(ban=ban, actor=None)
    assert screen(article, guest(email="t@example.org"), now=ban.ends_at) == Status.APPROVED


def test_bans_apply_to_edits_too(article):
    author = guest()
    comment = make_comment_row(article, author=author)
    moderation.ban(actor=None, email=author.email)
    assert refusal(article, author, "Edited", editing=comment).code == "banned"
