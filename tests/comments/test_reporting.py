"""Reporting: a reason (spam, abuse, off-topic, other) stored as a Flag, one per reader."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from comments.models import Comment, Flag
from comments.services import delete_comment
from tests.comments.helpers import JSON, guest, guest_client, make_posted_comment, signed_in
from tests.helpers import make_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reader_settings")]

THANKS = "Thank you. Moderators will look at this comment."


def report(client: Client, comment: Comment, *, as_json=False, follow=False, **data):
    return client.post(
        reverse("comments:report", args=[comment.pk]),
        data,
        headers=JSON if as_json else None,
        follow=follow,
    )


@pytest.fixture
def comment(article):
    return make_posted_comment(article, "Buy cheap watches.")


@pytest.mark.parametrize("reason", ["spam", "abuse", "off_topic", "other"])
def test_signed_in_reader_reports_a_comment_with_a_reason(comment, reason):
    reader = make_user("reporter")

    response = report(signed_in(reader), comment, reason=reason, details="See the link.")

    assert response.status_code == 302
    assert response["Location"] == f"/comments/{comment.pk}/"
    flag = Flag.objects.get()
    assert (flag.comment, flag.user, flag.reporter_key) == (comment, reader, f"user:{reader.pk}")
    assert (flag.reason, flag.details, flag.resolved_at) == (reason, "See the link.", None)
    assert flag.ip_address == "127.0.0.1"
    comment.refresh_from_db()
    assert comment.flag_count == 1


def test_reader_is_thanked_on_the_comment_after_reporting(client, comment):
    response = report(client, comment, reason="spam", details="", follow=True)

    assert response.status_code == 200
    html = response.content.decode()
    assert f'<p class="message message--success">{THANKS}</p>' in html
    assert f'id="c{comment.pk}"' in html


def test_guest_report_is_stored_under_a_hash_of_the_address(client, comment):
    report(client, comment, reason="abuse", details="")

    flag = Flag.objects.get()
    assert flag.user is None
    assert re.fullmatch(r"net:[0-9a-f]{56}", flag.reporter_key)
    assert "127.0.0.1" not in flag.reporter_key


def test_report_from_a_script_gets_a_json_thank_you(client, comment):
    response = report(client, comment, as_json=True, reason="off_topic", details="")

    assert response.status_code == 200
    assert response.json() == {"ok": True, "message": THANKS}
    assert Flag.objects.get().reason == "off_topic"


def test_a_reader_reports_a_comment_only_once(comment):
    client = signed_in(make_user())
    report(client, comment, reason="spam", details="")

    again = report(client, comment, reason="abuse", details="Changed my mind.")

    assert again.status_code == 302
    flag = Flag.objects.get()
    assert (flag.reason, flag.details) == ("spam", "")
    comment.refresh_from_db()
    assert comment.flag_count == 1


def test_a_signed_in_reader_reports_once_from_any_browser(comment):
    reader = make_user()
    report(signed_in(reader), comment, reason="spam", details="")
    report(signed_in(reader), comment, reason="spam", details="")

    assert Flag.objects.count() == 1


def test_a_guest_browser_reports_a_comment_only_once(comment):
    report(guest_client("reporting-browser"), comment, reason="spam", details="")
    report(guest_client("reporting-browser"), comment, reason="other", details="")

    assert list(Flag.objects.values_list("reason", flat=True)) == ["spam"]


def test_different_readers_each_report(comment):
    report(signed_in(make_user()), comment, reason="spam", details="")
    report(Client(), comment, reason="abuse", details="")

    assert sorted(Flag.objects.values_list("reason", flat=True)) == ["abuse", "spam"]
    comment.refresh_from_db()
    assert comment.flag_count == 2


def test_report_page_offers_the_four_reasons(client, comment):
    response = client.get(reverse("comments:report", args=[comment.pk]))

    assert response.status_code == 200
    assert "comments/report.html" in [t.name for t in response.templates]
    html = response.content.decode()
    for value, label in [
        ("spam", "Spam or advertising"),
        ("abuse", "Abusive or hateful"),
        ("off_topic", "Off-topic"),
        ("other", "Something else"),
    ]:
        assert re.search(
            rf'<input type="radio" name="reason" value="{value}"[^>]*>\s*{label}', html
        )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        pytest.param({"details": "No reason."}, "Choose a reason for the report.", id="none"),
        pytest.param(
            {"reason": "rude", "details": ""},
            "Select a valid choice. rude is not one of the available choices.",
            id="unknown",
        ),
        pytest.param(
            {"reason": "other", "details": "x" * 501},
            "Ensure this value has at most 500 characters (it has 501).",
            id="long-details",
        ),
        pytest.param(
            {"reason": "other", "details": "Nul\x00"},
            "Null characters are not allowed.",
            id="nul-details",
        ),
    ],
)
def test_bad_report_is_refused_with_a_message(client, comment, data, message):
    response = report(client, comment, **data)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Flag.objects.exists()
    json_response = report(client, comment, as_json=True, **data)
    assert json_response.status_code == 400
    assert json_response.json()["message"] == message


def test_reporting_a_missing_comment_is_404(client):
    response = client.post(reverse("comments:report", args=[987654321]), {"reason": "spam"})

    assert response.status_code == 404


def test_a_deleted_comment_has_no_report_page_to_reveal_its_text(client, article):
    author = guest("Secret Sam")
    gone = make_posted_comment(article, "Words I took back.", author=author)
    make_posted_comment(article, parent=gone)  # a reply keeps it as a placeholder
    delete_comment(comment=gone, actor=author)

    response = client.get(reverse("comments:report", args=[gone.pk]))

    assert response.status_code == 404
    html = response.content.decode()
    assert "Words I took back." not in html
    assert "Secret Sam" not in html
