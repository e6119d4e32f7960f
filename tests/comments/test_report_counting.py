"""Reports that cannot be minted: a guest's report counts once per address (IPv6: per /64)
whatever their cookies; only distinct accounts or addresses hide a comment; reports are
rate-limited per address; moderators see every report."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from comments.models import Comment, Flag, Status
from tests.comments.helpers import JSON, make_posted_comment, signed_in
from tests.helpers import make_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reader_settings")]


@pytest.fixture
def comment(article, reader_settings):
    reader_settings.COMMENTS_REPORTS_TO_HIDE = 3
    return make_posted_comment(article, "An opinion someone dislikes.")


def report(client: Client, comment: Comment, address: str = "203.0.113.7", **extra):
    return client.post(
        reverse("comments:report", args=[comment.pk]),
        {"reason": "abuse", "details": ""},
        REMOTE_ADDR=address,
        **extra,
    )


def test_reports_without_cookies_from_one_address_count_once(comment):
    for _ in range(5):
        assert report(Client(), comment).status_code == 302  # each a fresh, cookie-less reader

    comment.refresh_from_db()
    assert (comment.flag_count, comment.status) == (1, Status.APPROVED)
    assert Flag.objects.count() == 1


def test_reports_from_one_ipv6_64_count_once(comment):
    for suffix in ("1", "2"):
        report(Client(), comment, address=f"2001:db8:aa:bb::{suffix}")
    report(Client(), comment, address="2001:db8:aa:bb:dead:beef:1:2")
    report(Client(), comment, address="2001:db8:aa:cc::1")  # another /64: another household

    comment.refresh_from_db()
    assert (comment.flag_count, comment.status) == (2, Status.APPROVED)


def test_reports_from_three_addresses_hide_the_comment(comment):
    for address in ("203.0.113.1", "198.51.100.2", "2001:db8:1::1"):
        report(Client(), comment, address=address)

    comment.refresh_from_db()
    assert (comment.flag_count, comment.status) == (3, Status.PENDING)


def test_fresh_accounts_on_one_address_add_nothing_to_hiding_a_comment(comment):
    """The review: two fresh accounts and a guest on one address hid a comment. Reports
    count by account *and* network: one address hides nothing alone, however many accounts
    it signs up; moderators still see every report."""
    for _ in range(2):
        assert report(signed_in(make_user()), comment).status_code == 302
    assert report(Client(), comment).status_code == 302  # a guest at the same address

    comment.refresh_from_db()
    assert (comment.flag_count, comment.status) == (3, Status.APPROVED)
    assert Flag.objects.count() == 3
    report(signed_in(make_user()), comment, address="198.51.100.2")
    comment.refresh_from_db()
    assert comment.status == Status.APPROVED  # two networks
    report(Client(), comment, address="2001:db8:1::1")
    comment.refresh_from_db()
    assert comment.status == Status.PENDING  # three


def test_reports_are_rate_limited_per_address(article, reader_settings):
    reader_settings.COMMENTS_REPORT_RATE_LIMITS = "2/hour"
    comments = [make_posted_comment(article, f"Comment {n}.") for n in range(3)]

    assert report(Client(), comments[0]).status_code == 302
    assert report(Client(), comments[1]).status_code == 302
    refused = report(Client(), comments[2])
    scripted = report(Client(), comments[2], headers=JSON)
    elsewhere = report(Client(), comments[2], address="198.51.100.9")

    message = "You have sent many reports in a short time. Please try again later."
    assert refused.status_code == scripted.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 3600
    assert message in refused.content.decode()
    assert scripted.json()["message"] == message
    assert elsewhere.status_code == 302
    assert Flag.objects.count() == 3


def test_moderators_see_every_report_however_it_was_counted(comment, mod_client):
    report(signed_in(make_user()), comment)
    report(Client(), comment, address="2001:db8:aa:bb::1")
    Client().post(
        reverse("comments:report", args=[comment.pk]),
        {"reason": "spam", "details": "Same house, other browser."},
        REMOTE_ADDR="2001:db8:aa:bb::2",
    )

    html = mod_client.get(f"/admin/comments/comment/{comment.pk}/change/").content.decode()
    assert html.count("Abusive or hateful") == 2
    flags = mod_client.get("/admin/comments/flag/")
    assert flags.status_code == 200
    assert len(flags.context["cl"].result_list) == 2
