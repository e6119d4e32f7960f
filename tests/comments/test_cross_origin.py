"""Token-less CSRF protection for the comment forms that cached pages carry: the browser's
``Sec-Fetch-Site`` and ``Origin`` decide (newsroom/csrf.py)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from comments.models import Comment, Vote
from tests.comments.helpers import JSON, form_data, make_posted_comment

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reader_settings")]

SAME_ORIGIN = {"origin": "http://testserver", "sec-fetch-site": "same-origin"}
CROSS_SITE = {"origin": "https://evil.example", "sec-fetch-site": "cross-site"}
REFUSED = "Your session expired before the form was sent."


def browser() -> Client:
    """A client that, like a browser, is held to the CSRF rules."""
    return Client(enforce_csrf_checks=True)


def post_comment(client: Client, article, headers: dict, *, as_json: bool = False):
    return client.post(
        reverse("comments:post", args=[article.pk]),
        form_data("Hello from a cached page."),
        headers={**headers, **(JSON if as_json else {})},
    )


@pytest.mark.parametrize("as_json", [False, True], ids=["form", "script"])
def test_same_origin_post_is_accepted_without_a_token(article, as_json):
    response = post_comment(browser(), article, SAME_ORIGIN, as_json=as_json)

    assert response.status_code == (201 if as_json else 302)
    assert Comment.objects.get().body == "Hello from a cached page."


@pytest.mark.parametrize("as_json", [False, True], ids=["form", "script"])
def test_cross_site_post_is_refused_and_nothing_is_saved(article, as_json):
    response = post_comment(browser(), article, CROSS_SITE, as_json=as_json)

    assert response.status_code == 403
    if as_json:
        assert response.json()["ok"] is False
    else:
        assert REFUSED in response.content.decode()
    assert not Comment.objects.exists()


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param({"origin": "https://evil.example"}, id="origin-only"),
        pytest.param({"origin": "null"}, id="opaque-origin"),
        pytest.param({"sec-fetch-site": "same-site", "origin": "https://a.testserver"}, id="sub"),
        pytest.param({"sec-fetch-site": "cross-site"}, id="fetch-site-only"),
        # A look-alike host: Cyrillic small letter ie (U+0435) for the "e" of "server".
        pytest.param({"origin": "http://tests\u0435rver"}, id="look-alike"),
    ],
)
def test_other_origins_are_refused_even_with_a_valid_token(article, headers):
    client = browser()
    client.get(reverse("login"))  # a page that sets a CSRF cookie
    token = client.cookies["csrftoken"].value

    response = client.post(
        reverse("comments:post", args=[article.pk]),
        {**form_data("Forged."), "csrfmiddlewaretoken": token},
        headers=headers,
    )

    assert response.status_code == 403
    assert not Comment.objects.exists()


def test_origin_of_this_host_is_enough_for_browsers_without_sec_fetch_site(article):
    response = post_comment(browser(), article, {"origin": "http://testserver"})

    assert response.status_code == 302


def test_a_trusted_origin_is_accepted(settings, article):
    settings.CSRF_TRUSTED_ORIGINS = ["https://news.example.org"]
    headers = {"origin": "https://news.example.org", "sec-fetch-site": "same-site"}

    assert post_comment(browser(), article, headers).status_code == 302


def test_without_browser_headers_the_token_is_still_required(article):
    response = post_comment(browser(), article, {})

    assert response.status_code == 403
    assert not Comment.objects.exists()


def test_votes_follow_the_same_rules(article):
    comment = make_posted_comment(article)
    url = reverse("comments:vote", args=[comment.pk])

    refused = browser().post(url, {"value": "up"}, headers=CROSS_SITE)
    accepted = browser().post(url, {"value": "up"}, headers=SAME_ORIGIN)

    assert (refused.status_code, accepted.status_code) == (403, 302)
    assert Vote.objects.count() == 1


def test_other_forms_keep_the_token_check(db):
    """Only the comment endpoints trade the token for the headers: signing in still needs it."""
    response = browser().post(
        reverse("login"), {"username": "a", "password": "b"}, headers=SAME_ORIGIN
    )

    assert response.status_code == 403
