"""Bad input: each gets a clear message (on the page, or as JSON when the request asks for it),
the reader's text is kept in the re-rendered form, nothing is saved, and nothing is a 500."""

from __future__ import annotations

import time

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from comments.domain import CommentRefused
from comments.forms import form_timestamp
from comments.models import Comment, Vote
from comments.services import delete_comment, post_comment
from tests.comments.helpers import (
    JSON,
    change_article,
    form_data,
    guest,
    guest_client,
    kept,
    make_posted_comment,
    old_form_timestamp,
    post,
)
from tests.helpers import make_article

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reader_settings")]

BODY = "My careful thoughts on the bridge."
EXPIRED = "This form has expired. Check your comment and post it again."
TOO_OLD = "This form was open for too long. Check your comment and post it again."
TOO_FAST = "That was very fast. Please check your comment and post it again."
GONE = "The comment you are replying to is no longer available."
CONTROL = "Your comment contains invisible control characters; please remove them."
CSRF = "Your session expired before the form was sent. Check your text and send it again."

FORM_ERRORS = [
    pytest.param({"body": ""}, "body", "Write something before you post.", id="empty-body"),
    pytest.param(
        {"body": "  \n\t  \n "}, "body", "Write something before you post.", id="blank-body"
    ),
    pytest.param(
        {"body": "x" * 5001},
        "body",
        "Comments can be at most 5000 characters (this one has 5001).",
        id="long-body",
    ),
    pytest.param({"body": "Nul\x00byte"}, "body", CONTROL, id="nul-in-body"),
    pytest.param({"body": "Bell\x07rings"}, "body", CONTROL, id="bell-in-body"),
    pytest.param({"body": "Esc\x1b[31m red"}, "body", CONTROL, id="escape-in-body"),
    pytest.param({"body": "Delete\x7f"}, "body", CONTROL, id="del-in-body"),
    pytest.param(
        {"name": "n" * 61},
        "name",
        "Ensure this value has at most 60 characters (it has 61).",
        id="long-name",
    ),
    pytest.param({"name": None}, "name", "Tell us the name to show.", id="no-name"),
    pytest.param({"name": "   "}, "name", "Tell us the name to show.", id="blank-name"),
    pytest.param({"name": "Ada\x00"}, "name", "Null characters are not allowed.", id="nul-name"),
    pytest.param(
        {"name": "Ada\x07"}, "name", "Names cannot contain control characters.", id="bell-name"
    ),
    pytest.param(
        {"email": None}, "email", "Give an email address; it is never shown.", id="no-email"
    ),
    pytest.param(
        {"email": "ada.example.org"}, "email", "Enter a valid email address.", id="bad-email"
    ),
    pytest.param(
        {"email": "ada\x00@example.org"},
        "email",
        "Enter a valid email address.",
        id="nul-email",
    ),
    pytest.param({"parent": "abc"}, "parent", "Enter a whole number.", id="parent-not-number"),
    pytest.param(
        {"parent": "0"},
        "parent",
        "Ensure this value is greater than or equal to 1.",
        id="parent-zero",
    ),
    pytest.param({"parent": "987654321"}, "parent", GONE, id="parent-missing"),
    pytest.param({"parent": "9" * 30}, "parent", GONE, id="parent-beyond-bigint"),
    pytest.param(
        {"website": "https://spam.example"},
        "website",
        "Your comment could not be posted. Leave the last field empty.",
        id="honeypot-filled",
    ),
    # Signed when the test runs: the form was shown a moment ago.
    pytest.param({"ts": form_timestamp}, "ts", TOO_FAST, id="too-fast"),
]


def resolved(fields: dict) -> dict:
    return {name: value() if callable(value) else value for name, value in fields.items()}


@pytest.mark.parametrize(("fields", "field", "message"), FORM_ERRORS)
def test_bad_comment_form_is_shown_again_with_the_message_and_the_text(
    client, article, fields, field, message
):
    fields = {"body": BODY, **resolved(fields)}

    response = post(client, article, **fields)

    assert response.status_code == 400
    assert "comments/form_page.html" in [t.name for t in response.templates]
    html = response.content.decode()
    assert escape(message) in html
    assert kept(fields["body"]) in html
    assert not Comment.objects.exists()


@pytest.mark.parametrize(("fields", "field", "message"), FORM_ERRORS)
def test_bad_comment_form_sent_by_script_gets_a_json_error(client, article, fields, field, message):
    response = post(client, article, as_json=True, **{"body": BODY, **resolved(fields)})

    assert response.status_code == 400
    data = response.json()
    assert data["ok"] is False
    assert list(data["errors"]) == [field]
    assert message in data["errors"][field]
    assert message in data["message"]
    assert not Comment.objects.exists()


def test_the_readers_details_are_kept_too(client, article):
    response = post(client, article, "", name="Ada Lovelace", email="ada@example.org")

    html = response.content.decode()
    assert 'name="name" value="Ada Lovelace"' in html
    assert 'name="email" value="ada@example.org"' in html


def test_tabs_and_newlines_are_not_control_characters(client, article):
    response = post(client, article, "Column\tone\nline two")

    assert response.status_code == 302
    assert Comment.objects.get().body == "Column\tone\nline two"


# --- The parent ------------------------------------------------------------------------------


def test_reply_to_another_articles_comment_is_refused(client, article):
    elsewhere = make_posted_comment(make_article(), "Other story.")

    response = post(client, article, BODY, parent=elsewhere.pk)

    assert response.status_code == 400
    html = response.content.decode()
    assert f'<p class="message message--error">{GONE}</p>' in html
    assert kept(BODY) in html
    assert Comment.objects.count() == 1


def test_reply_to_a_deleted_comment_is_refused(client, article):
    author = guest()
    parent = make_posted_comment(article, "Soon gone.", author=author)
    make_posted_comment(article, "Keeps the placeholder.", parent=parent)
    delete_comment(comment=parent, actor=author)

    response = post(client, article, BODY, parent=parent.pk, as_json=True)

    assert response.status_code == 400
    assert response.json()["errors"] == {"parent": [GONE]}
    assert Comment.objects.count() == 2


def test_reply_to_a_comment_held_for_review_is_refused(client, article):
    change_article(article, comments_premoderated=True)
    pending = make_posted_comment(article, "Held.")
    assert pending.status == Comment.Status.PENDING

    response = post(client, article, BODY, parent=pending.pk)

    assert response.status_code == 400
    assert escape(GONE) in response.content.decode()
    assert Comment.objects.count() == 1


def test_service_refuses_a_parent_that_is_not_visible(article):
    parent = make_posted_comment(article)
    Comment.objects.filter(pk=parent.pk).update(is_deleted=True)
    parent.refresh_from_db()

    with pytest.raises(CommentRefused) as refusal:
        post_comment(article=article, parent=parent, author=guest(), body=BODY)

    assert (refusal.value.message, refusal.value.status) == (GONE, 400)


def test_reply_page_of_a_missing_or_hidden_comment_is_404(client, article):
    hidden = make_posted_comment(article)
    Comment.objects.filter(pk=hidden.pk).update(is_deleted=True)

    assert client.get(reverse("comments:reply", args=[987654321])).status_code == 404
    assert client.get(reverse("comments:reply", args=[hidden.pk])).status_code == 404


# --- The signed form time ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ts", "message"),
    [
        pytest.param("not-a-signed-value", EXPIRED, id="bad"),
        pytest.param("", EXPIRED, id="missing"),
        pytest.param(old_form_timestamp(7 * 60 * 60), TOO_OLD, id="old"),
    ],
)
def test_expired_form_sent_by_script_gets_a_json_error(client, article, ts, message):
    response = post(client, article, BODY, ts=ts, as_json=True)

    assert response.status_code == 400
    assert response.json() == {"ok": False, "message": message, "errors": {"ts": [message]}}
    assert not Comment.objects.exists()


def test_expired_form_is_shown_again_with_the_text_and_a_fresh_timestamp(client, article):
    stale = old_form_timestamp(7 * 60 * 60)

    response = post(client, article, BODY, ts=stale)

    assert response.status_code == 400
    html = response.content.decode()
    assert kept(BODY) in html
    assert 'name="ts" value="' in html
    assert stale not in html
    assert not Comment.objects.exists()


@pytest.mark.parametrize(
    ("ts", "message"),
    [
        pytest.param("not-a-signed-value", EXPIRED, id="bad"),
        pytest.param(old_form_timestamp(7 * 60 * 60), TOO_OLD, id="old"),
    ],
)
def test_expired_form_tells_the_reader_it_expired(client, article, ts, message):
    response = post(client, article, BODY, ts=ts)

    assert response.status_code == 400
    html = response.content.decode()
    assert f'<p class="message message--error">{message}</p>' in html
    assert TOO_FAST not in html


@pytest.mark.parametrize(
    ("scenario", "status", "message"),
    [
        pytest.param("empty-body", 400, "Write something before you post.", id="form-error"),
        pytest.param("closed", 403, "Comments on this article are closed.", id="refused"),
        pytest.param("csrf", 403, CSRF, id="csrf-failure"),
    ],
)
def test_a_refused_post_does_not_accuse_the_reader_of_being_too_fast(
    article, scenario, status, message
):
    browser = Client(enforce_csrf_checks=scenario == "csrf")
    if scenario == "closed":
        change_article(article, comments_open=False)

    response = post(browser, article, "" if scenario == "empty-body" else BODY)

    assert response.status_code == status
    html = response.content.decode()
    assert message in html
    assert TOO_FAST not in html


def test_the_form_accepts_a_timestamp_within_its_age_limit(client, article):
    response = post(client, article, BODY, ts=old_form_timestamp(5 * 60 * 60))

    assert response.status_code == 302


# --- CSRF -----------------------------------------------------------------------------------


def test_failed_csrf_check_on_the_comment_form_shows_the_text_only_to_copy(article):
    browser = Client(enforce_csrf_checks=True)
    forged = form_data("Click <b>post</b>: I endorse http://evil.example", name="Victim")

    response = browser.post(reverse("comments:post", args=[article.pk]), forged)

    assert response.status_code == 403
    html = response.content.decode()
    assert f'<p role="alert">{CSRF}</p>' in html
    assert (
        '<textarea id="kept-text" rows="6" readonly>'
        "Click &lt;b&gt;post&lt;/b&gt;: I endorse http://evil.example</textarea>"
    ) in html
    # Nothing that could send it on: no comment form, no identity, no token for one.
    assert 'name="body"' not in html
    assert 'name="name"' not in html and "Victim" not in html
    assert 'name="email"' not in html and "ada@example.org" not in html
    assert "csrfmiddlewaretoken" not in html
    assert not Comment.objects.exists()


def test_failed_csrf_check_from_a_script_gets_a_json_error(article):
    browser = Client(enforce_csrf_checks=True)

    response = browser.post(
        reverse("comments:post", args=[article.pk]), form_data(BODY), headers=JSON
    )

    assert response.status_code == 403
    assert response.json() == {"ok": False, "message": CSRF}


def test_failed_csrf_check_on_an_edit_keeps_the_text(article):
    author = guest(key="csrf-editor")
    comment = make_posted_comment(article, "Original.", author=author)
    browser = guest_client("csrf-editor")
    browser.handler.enforce_csrf_checks = True

    response = browser.post(reverse("comments:edit", args=[comment.pk]), {"body": "New <words>"})

    assert response.status_code == 403
    html = response.content.decode()
    assert f'<p role="alert">{CSRF}</p>' in html
    assert '<textarea id="kept-text" rows="6" readonly>New &lt;words&gt;</textarea>' in html
    comment.refresh_from_db()
    assert comment.body == "Original."


def test_failed_csrf_check_on_a_vote_says_so(article):
    comment = make_posted_comment(article)
    browser = Client(enforce_csrf_checks=True)

    response = browser.post(reverse("comments:vote", args=[comment.pk]), {"value": "up"})

    assert response.status_code == 403
    assert f'<p role="alert">{CSRF}</p>' in response.content.decode()
    assert not Vote.objects.exists()


# --- Missing things --------------------------------------------------------------------------


def test_vote_on_a_missing_comment_is_a_404_page(client):
    response = client.post(reverse("comments:vote", args=[987654321]), {"value": "up"})

    assert response.status_code == 404
    assert "We can\u2019t find that page" in response.content.decode()


def test_vote_on_a_missing_comment_from_a_script_gets_a_json_error(client):
    response = client.post(
        reverse("comments:vote", args=[987654321]), {"value": "up"}, headers=JSON
    )

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["ok"] is False


@pytest.mark.parametrize("name", ["permalink", "thread", "edit", "delete", "report", "reply"])
def test_pages_of_a_missing_comment_are_404(client, name):
    assert client.get(reverse(f"comments:{name}", args=[987654321])).status_code == 404


def test_posting_to_a_missing_article_is_404(client):
    response = client.post(reverse("comments:post", args=[987654321]), form_data(BODY))

    assert response.status_code == 404


# --- Nothing is a 500 -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "fields",
    [
        {"body": ["one", "two"]},
        {"parent": "1.5"},
        {"parent": "-3"},
        {"parent": "\x00"},
        {"ts": "\x00"},
        # A name that does not hold the time: pytest-xdist's workers must collect the same tests.
        pytest.param({"ts": form_timestamp(time.time() - 10) + "x"}, id="{'ts': '<signed>x'}"),
        {"website": "\x00"},
        {"email": "a" * 300 + "@example.org"},
        {"body": "\ud7ff\ue000\U0010ffff emoji 🌉"},
        {"body": "\r"},
        {"name": "\u200b"},
    ],
    ids=str,
)
def test_odd_input_never_causes_a_server_error(client, article, fields):
    response = post(client, article, **{"body": BODY, **fields})

    assert response.status_code in (302, 400)


def test_undecodable_bytes_never_cause_a_server_error(client, article):
    ts = form_timestamp(time.time() - 10)
    payload = f"body=%FF%FE%00&name=Ada&email=ada%40example.org&website=&ts={ts}"

    response = client.generic(
        "POST",
        reverse("comments:post", args=[article.pk]),
        payload.encode(),
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 400
    assert escape(CONTROL) in response.content.decode()


@pytest.mark.parametrize(
    "query",
    [
        {"comments": "\x00", "cpage": "\x00", "highlight": "\x00"},
        {"comments": "votes", "cpage": "9" * 30},
        {"cpage": "-1"},
    ],
)
def test_odd_page_parameters_show_a_page(client, article, query):
    make_posted_comment(article)

    assert client.get(article.get_absolute_url(), query).status_code == 200
    assert client.get(reverse("comments:fragment", args=[article.pk]), query).status_code == 200
    api_query = {"sort": query.get("comments", ""), "page": query.get("cpage", "")}
    api = client.get(reverse("comments:api", args=[article.slug]), api_query)
    assert api.status_code == 200


# --- Addresses from a proxy -------------------------------------------------------------------


@pytest.mark.parametrize(
    "forwarded", ["not-an-ip", "203.0.113.7 x", "999.1.1.1", "<script>", "2001:db8::1::2"]
)
def test_forged_forwarded_address_falls_back_to_the_socket_address(
    client, article, settings, forwarded
):
    settings.TRUSTED_PROXY_HOPS = 1
    response = client.post(
        reverse("comments:post", args=[article.pk]),
        form_data(BODY),
        headers={"x-forwarded-for": forwarded},
        REMOTE_ADDR="192.0.2.44",
    )
    assert response.status_code == 302
    assert Comment.objects.get().ip_address == "192.0.2.44"


def test_a_valid_forwarded_address_is_used_behind_the_proxy(client, article, settings):
    settings.TRUSTED_PROXY_HOPS = 1
    client.post(
        reverse("comments:post", args=[article.pk]),
        form_data(BODY),
        headers={"x-forwarded-for": "10.0.0.9, 2001:db8::7"},
        REMOTE_ADDR="192.0.2.44",
    )
    assert Comment.objects.get().ip_address == "2001:db8::7"


# --- Invisible formatting characters ------------------------------------------------------------


def test_formatting_characters_are_stripped_from_the_body(client, article):
    body = "Hello\u200b wor\u00adld\u202e, family \U0001f468\u200d\U0001f469\u200d\U0001f467."
    response = post(client, article, body)
    assert response.status_code == 302
    assert Comment.objects.get().body == (
        "Hello world, family \U0001f468\u200d\U0001f469\u200d\U0001f467."
    )


@pytest.mark.parametrize("name", ["Ada\u202eecalovoL", "Ada\u200bLovelace", "\u2066Ada"])
def test_names_with_formatting_characters_are_refused(client, article, name):
    response = post(client, article, name=name)
    assert response.status_code == 400
    assert "Names cannot contain invisible formatting characters." in response.content.decode()
    assert not Comment.objects.exists()
