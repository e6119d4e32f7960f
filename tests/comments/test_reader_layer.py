"""Every reader of an article page gets the shared copy; what is one reader's own comes from
one small private request (comments/reader.py) that the page's script applies. Without the
script, a reader with a cookie gets a page rendered for them."""

from __future__ import annotations

import gzip
import http.client
import json
import re
from datetime import timedelta

import pytest
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.models import User
from django.contrib.messages import constants
from django.contrib.messages.storage.cookie import CookieStorage
from django.db import connection
from django.middleware.csrf import CSRF_SECRET_LENGTH, _mask_cipher_secret, _unmask_cipher_token
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from comments import identity, services
from comments.models import Comment, ModerationEvent
from comments.moderation.audit import EventAction
from comments.notifications.models import Subscription
from newsroom import pagecache
from newsroom.models import Session
from newsroom.sessions import SessionStore
from newsroom.signed_in import MODEL_BACKEND
from tests.comments.helpers import (
    change_article,
    guest,
    guest_client,
    make_posted_comment,
    member,
    signed_guest_cookie,
    signed_in,
)
from tests.helpers import make_article, make_user
from tests.processes import running_gunicorn

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reader_settings")]


@pytest.fixture(autouse=True)
def page_cache_on(settings):
    settings.PAGE_CACHE_SECONDS = 300


def with_script(client: Client) -> Client:
    """The browser runs the page's script (which sets this cookie)."""
    client.cookies[pagecache.JS_COOKIE] = "1"
    return client


def layer(client: Client, article, ids=()) -> dict:
    response = client.get(
        reverse("comments:reader", args=[article.pk]),
        {"ids": ",".join(str(pk) for pk in ids)},
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    return json.loads(response.content)


def text(response) -> str:
    body = response.content
    return (gzip.decompress(body) if response.get("Content-Encoding") == "gzip" else body).decode()


# --- Who gets which page ------------------------------------------------------------------------


def test_a_signed_in_reader_with_the_script_gets_the_shared_copy(article):
    make_posted_comment(article, "Words for everyone.")
    user = make_user(username="ada-private")
    Client().get(article.get_absolute_url())  # the copy is stored

    response = with_script(signed_in(user)).get(article.get_absolute_url())

    assert response.status_code == 200
    assert getattr(response, "shared_copy", False)
    html = text(response)
    assert "Words for everyone." in html
    assert "ada-private" not in html
    assert "csrfmiddlewaretoken" not in html
    assert f'data-reader-url="/comments/reader/{article.pk}/"' in html


def test_a_copy_rendered_for_a_reader_with_a_cookie_is_rendered_as_for_nobody(article):
    user = make_user(username="ada-private")
    browser = with_script(signed_in(user))
    session = browser.cookies["sessionid"].value

    response = browser.get(article.get_absolute_url())  # no copy yet: rendered, then stored

    assert getattr(response, "shared_copy", False)
    assert "ada-private" not in text(response)
    # The anonymous render neither signed the reader out nor gave them a cookie of its own.
    assert "sessionid" not in response.cookies and "csrftoken" not in response.cookies
    assert browser.cookies["sessionid"].value == session
    assert "ada-private" not in text(Client().get(article.get_absolute_url()))


def test_without_the_script_a_reader_with_a_cookie_gets_a_private_page_of_their_own(article):
    user = make_user(username="ada-private")
    Client().get(article.get_absolute_url())

    for browser, own in (
        (signed_in(user), "ada-private"),
        (guest_client("k1", n="Grace"), "Grace"),
    ):
        response = browser.get(article.get_absolute_url())
        assert not getattr(response, "shared_copy", False)
        assert own in text(response)
        assert response["Cache-Control"].startswith("private")
        assert "data-reader-url" not in text(response)


def test_the_site_tells_the_script_when_the_browser_holds_a_cookie_of_its_own(article):
    anonymous = Client().get(article.get_absolute_url())
    assert pagecache.READER_COOKIE not in anonymous.cookies

    browser = with_script(guest_client("k2"))
    assert browser.get(article.get_absolute_url()).cookies[pagecache.READER_COOKIE].value == "1"

    user = make_user()
    browser = signed_in(user)
    browser.cookies[pagecache.READER_COOKIE] = "1"
    signed_out = browser.post(reverse("logout"))
    assert signed_out.cookies[pagecache.READER_COOKIE]["max-age"] == 0


def test_a_page_shown_without_scripts_makes_the_browser_forget_it_runs_them(article):
    html = text(Client().get(article.get_absolute_url()))
    assert '<noscript><img class="no-script" src="/no-script.gif"' in html

    response = with_script(guest_client("k6")).get("/no-script.gif")

    assert response.status_code == 200 and response["Content-Type"] == "image/gif"
    assert response["Cache-Control"] == "no-store"
    assert response.cookies[pagecache.JS_COOKIE]["max-age"] == 0


# --- The reader's layer ---------------------------------------------------------------------------


# Off, the same statements go as plain SQL, for a pooler in transaction mode.
both_ways = pytest.mark.parametrize("prepared", [True, False], ids=["prepared", "plain"])


@both_ways
def test_a_signed_in_readers_layer_has_their_name_token_votes_follow_and_own_comments(
    article, settings, prepared
):
    settings.DATABASE_PREPARED_STATEMENTS = prepared
    user = make_user(username="ada-private", first_name="Ada", last_name="Public")
    other = make_posted_comment(article, "Someone else's.")
    mine = make_posted_comment(article, "Mine.", author=member(user))
    services.vote(comment=other, voter=member(user), value=-1)
    Subscription.objects.create(article=article, user=user, kind="all")

    data = layer(signed_in(user), article, ids=[other.pk, mine.pk])

    token = data["user"].pop("token")
    assert len(token) == 64
    assert data["user"] == {
        "username": "ada-private",
        "name": "Ada Public",
        "staff": False,
        "following": True,
    }
    assert data["votes"] == {str(other.pk): -1}
    assert data["own"] == {str(mine.pk): {"edit": True}}
    assert data["pending"] == [] and data["messages"] == []
    assert "guest" not in data


def test_the_layer_sends_the_csrf_cookie_only_to_a_browser_without_it_as_it_is(article):
    browser = signed_in(make_user(username="ada-private"))
    url = reverse("comments:reader", args=[article.pk])

    first = browser.get(url)  # no secret yet: a new one, sent
    secret = first.cookies["csrftoken"].value
    second = browser.get(url)  # held: not sent again
    browser.cookies["csrftoken"] = _mask_cipher_secret(secret)  # as Django before 4.0 kept it
    third = browser.get(url)

    assert len(secret) == CSRF_SECRET_LENGTH
    assert "csrftoken" not in second.cookies
    assert third.cookies["csrftoken"].value == secret


def test_the_layers_token_signs_the_reader_out_and_no_made_up_token_does(article):
    user = make_user(username="ada-private")
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(user)
    first = layer(browser, article)["user"]["token"]  # the browser had no secret: one now
    secret = browser.cookies["csrftoken"].value

    second = layer(browser, article)["user"]["token"]

    # Masked afresh each time, for the browser's one secret, whose cookie it keeps.
    assert first != second
    assert _unmask_cipher_token(first) == _unmask_cipher_token(second) == secret
    assert browser.cookies["csrftoken"].value == secret
    made_up = "A" * 32 + second[32:]
    assert browser.post(reverse("logout"), {"csrfmiddlewaretoken": made_up}).status_code == 403
    assert layer(browser, article)["user"]["username"] == "ada-private"
    response = browser.post(reverse("logout"), {"csrfmiddlewaretoken": second})
    assert response.status_code == 302
    assert "user" not in layer(browser, article)


def test_the_shared_copy_carries_the_markup_the_layer_fills_in(article):
    """Data, not markup, in the layer: the page holds the reader's menu, follow box and own
    comment actions as templates, the same for everyone, with no one's values in them."""
    html = text(Client().get(article.get_absolute_url()))

    templates = dict(re.findall(r'<template id="(reader-[a-z-]+)">(.*?)</template>', html, re.S))
    assert set(templates) == {
        "reader-nav",
        "reader-commenting-as",
        "reader-follow-on",
        "reader-follow-off",
        "reader-own-actions",
    }
    assert 'Signed in as <span data-reader-fill="username"></span>' in templates["reader-nav"]
    assert "data-reader-token" in templates["reader-nav"]
    assert "csrfmiddlewaretoken" not in html
    assert "You follow this discussion." in templates["reader-follow-on"]
    assert "Follow this discussion" in templates["reader-follow-off"]
    assert 'name="email"' not in templates["reader-follow-off"]  # as a signed-in reader
    assert 'data-reader-href="/comments/{id}/edit/"' in templates["reader-own-actions"]
    assert 'data-reader-href="/comments/{id}/delete/"' in templates["reader-own-actions"]
    # Without scripts a reader with a cookie gets a page of their own, and no templates.
    private = text(guest_client("k7").get(article.get_absolute_url()))
    assert "<template" not in private


@both_ways
def test_a_guests_layer_has_their_pending_comment_details_and_no_one_elses(
    article, settings, prepared
):
    settings.DATABASE_PREPARED_STATEMENTS = prepared
    change_article(article, comments_premoderated=True)
    author = guest("Private Person", key="private-browser")
    pending = make_posted_comment(article, "Awaiting review.", author=author)
    stranger = make_posted_comment(article, "A stranger's, also waiting.")

    browser = guest_client("private-browser", n="Private Person", e="p@example.org")
    with CaptureQueriesContext(connection) as queries:
        data = layer(browser, article)

    # The layer's query; then, only because there is a pending comment to render, the
    # article, the comment, and whether moderators hold it (its edit link).
    assert len(queries) == 4
    assert [item["id"] for item in data["pending"]] == [pending.pk]
    assert "Awaiting review." in data["pending"][0]["html"]
    assert reverse("comments:edit", args=[pending.pk]) in data["pending"][0]["html"]
    assert data["guest"] == {"name": "Private Person", "email": "p@example.org"}
    assert "user" not in data
    assert stranger.body not in json.dumps(data)


def test_a_readers_removed_comment_comes_with_the_way_to_appeal(article):
    author = guest("Removed Person", key="removed-browser")
    removed = make_posted_comment(article, "Taken down.", author=author)
    Comment.objects.filter(pk=removed.pk).update(status=Comment.Status.REMOVED)

    data = layer(guest_client("removed-browser"), article)

    assert [item["id"] for item in data["pending"]] == [removed.pk]
    assert "Why, and how to appeal" in data["pending"][0]["html"]
    assert "Taken down." not in text(Client().get(article.get_absolute_url()))


def test_edit_links_go_once_the_edit_window_closes(article):
    author = guest(key="late-browser")
    old = make_posted_comment(
        article,
        author=author,
        created_at=make_posted_comment(article).created_at.replace(year=2020),
    )

    fresh = make_posted_comment(article, author=author)

    data = layer(guest_client("late-browser"), article, ids=[old.pk, fresh.pk])

    assert data["own"] == {str(old.pk): {"edit": False}, str(fresh.pk): {"edit": True}}


def test_no_edit_for_an_own_comment_moderators_hold(article):
    author = guest(key="held-browser")
    held = make_posted_comment(article, author=author)
    Comment.objects.filter(pk=held.pk).update(status=Comment.Status.PENDING)
    browser = guest_client("held-browser")
    assert layer(browser, article, ids=[held.pk])["own"] == {str(held.pk): {"edit": True}}
    ModerationEvent.objects.create(comment=held, article=article, action=EventAction.HIDDEN)

    assert layer(browser, article, ids=[held.pk])["own"] == {str(held.pk): {"edit": False}}
    data = layer(browser, article)

    assert [item["id"] for item in data["pending"]] == [held.pk]
    assert reverse("comments:edit", args=[held.pk]) not in data["pending"][0]["html"]
    held.refresh_from_db()
    assert services.can_edit(held, author) is False


def test_flash_messages_come_with_the_layer_once(article):
    browser = guest_client("k3")
    request = RequestFactory().get("/")
    storage = CookieStorage(request)
    storage.add(constants.SUCCESS, "Thanks for following.")
    response = Client().get("/robots.txt")
    storage.update(response)
    browser.cookies["messages"] = response.cookies["messages"].value

    first = layer(browser, article)
    assert first["messages"] == [{"level": "success", "text": "Thanks for following."}]
    assert layer(browser, article)["messages"] == []


def test_a_reader_without_cookies_gets_an_empty_layer_without_a_query(article):
    comment = make_posted_comment(article)

    with CaptureQueriesContext(connection) as queries:
        data = layer(Client(), article, ids=[comment.pk])

    assert data == {
        "messages": [],
        "votes": {},
        "own": {},
        "pending": [],
        "guest": {"name": "", "email": ""},
    }
    assert len(queries) == 0


def test_the_signed_in_layer_costs_the_same_few_queries_for_any_discussion(article):
    user = make_user()
    counts = []
    for size in (3, 60):
        comments = [make_posted_comment(article) for _ in range(size)]
        mine = make_posted_comment(article, author=member(user))
        browser = signed_in(user)
        with CaptureQueriesContext(connection) as queries:
            layer(browser, article, ids=[c.pk for c in comments] + [mine.pk])
        counts.append(len(queries))
    # The session, the account and the layer's one query (the article, whether they follow
    # it, their comments and votes) in one round trip.
    assert counts == [1, 1]


def test_a_session_from_before_a_password_change_gets_no_layer_of_the_account(article):
    user = make_user(username="ada-private")
    mine = make_posted_comment(article, author=member(user))
    browser = signed_in(user)
    user.set_password("a-new-password-123")
    user.save()

    data = layer(browser, article, ids=[mine.pk])

    assert "user" not in data and data["own"] == {}
    # As Django does: the stale session is flushed.
    assert browser.cookies["sessionid"].value == ""


def test_an_inactive_account_gets_no_layer_of_its_own(article):
    user = make_user(username="ada-private")
    mine = make_posted_comment(article, author=member(user))
    browser = signed_in(user)
    User.objects.filter(pk=user.pk).update(is_active=False)

    data = layer(browser, article, ids=[mine.pk])

    assert "user" not in data and data["own"] == {}


def private_things(user, article) -> list[int]:
    """The account's comment, vote and follow on ``article``; the ids a page would show."""
    mine = make_posted_comment(article, "Mine.", author=member(user))
    other = make_posted_comment(article, "Someone else's.")
    services.vote(comment=other, voter=member(user), value=1)
    Subscription.objects.create(article=article, user=user, kind="all")
    return [mine.pk, other.pk]


def assert_no_ones(data: dict) -> None:
    """The anonymous answer: nothing of any account's."""
    assert "user" not in data
    assert data["own"] == {} and data["votes"] == {} and data["pending"] == []


def session_row(browser: Client) -> Session:
    return Session.objects.get(session_key=browser.cookies["sessionid"].value)


def test_a_session_row_forged_in_the_database_signs_no_one_in(article):
    """The account column alone proves nothing: the data must decode (it is signed with
    the site's key) and name that account with its password's hash."""
    user = make_user(username="ada-private")
    forged = [
        "not session data at all",
        SessionStore().encode({}),  # signed, but no one signed in
        SessionStore().encode({SESSION_KEY: str(user.pk), BACKEND_SESSION_KEY: MODEL_BACKEND}),
        SessionStore().encode(
            {
                SESSION_KEY: str(user.pk),
                BACKEND_SESSION_KEY: MODEL_BACKEND,
                HASH_SESSION_KEY: "0" * 64,
            }
        ),
    ]
    ids = private_things(user, article)
    for number, data in enumerate(forged):
        key = f"forged{number}".ljust(32, "x")
        Session.objects.create(
            session_key=key, session_data=data, expire_date=timezone.now() + timedelta(days=1)
        )
        Session.objects.filter(session_key=key).update(user_id=user.pk)
        browser = Client()
        browser.cookies["sessionid"] = key

        assert_no_ones(layer(browser, article, ids=ids))


def test_an_expired_session_signs_no_one_in(article):
    user = make_user(username="ada-private")
    ids = private_things(user, article)
    browser = signed_in(user)
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))

    with CaptureQueriesContext(connection) as queries:
        data = layer(browser, article, ids=ids)

    assert_no_ones(data)
    assert len(queries) == 1


def test_a_deleted_account_gets_no_layer(article):
    user = make_user(username="ada-private")
    browser = signed_in(user)
    user.delete()

    with CaptureQueriesContext(connection) as queries:
        data = layer(browser, article)

    assert_no_ones(data)
    assert len(queries) == 1


def test_a_session_whose_account_column_disagrees_with_its_data_is_read_as_django_reads_it(
    article,
):
    """Only the data says who is signed in: the column is a copy for the one round trip, and
    a row where they differ gets Django's own reading, never the column's account's layer."""
    ada = make_user(username="ada-private")
    bob = make_user(username="bob-private")
    browser = signed_in(ada)
    Session.objects.filter(user_id=ada.pk).update(user_id=bob.pk)
    bobs = make_posted_comment(article, "Bob's.", author=member(bob))

    data = layer(browser, article, ids=[bobs.pk])

    assert data["user"]["username"] == "ada-private"
    assert data["own"] == {}


def test_a_session_signed_with_a_retired_secret_moves_to_the_current_one(article, settings):
    user = make_user(username="ada-private")
    mine = make_posted_comment(article, "Mine.", author=member(user))
    settings.SECRET_KEY = "an-old-secret-key-" + "x" * 40
    browser = signed_in(user)
    old_key = browser.cookies["sessionid"].value
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "the-new-secret-key-" + "y" * 40

    data = layer(browser, article, ids=[mine.pk])

    assert data["user"]["username"] == "ada-private"
    assert data["own"] == {str(mine.pk): {"edit": True}}
    # As Django does: a new key, the hash made with the current secret, the account kept.
    assert browser.cookies["sessionid"].value != old_key
    assert session_row(browser).user_id == user.pk
    assert layer(browser, article, ids=[mine.pk])["user"]["username"] == "ada-private"


@pytest.mark.parametrize("ids", ["abc", "1,,2,x", "9" * 40, ",".join(["1"] * 5000), "\x00"])
def test_bad_ids_are_ignored_not_an_error(article, ids):
    response = guest_client("k4").get(reverse("comments:reader", args=[article.pk]), {"ids": ids})
    assert response.status_code == 200


def test_no_layer_for_an_article_that_is_not_published(article):
    change_article(article, status="draft")
    user = make_user()
    for browser in (guest_client("k5"), signed_in(user)):
        response = browser.get(reverse("comments:reader", args=[article.pk]))
        assert response.status_code == 404


@pytest.mark.parametrize("article_id", [2**31, 2**63 - 1, 2**63, 10**30])
def test_no_layer_for_an_article_number_out_of_range(article_id):
    user = make_user()
    for browser in (guest_client("k8"), signed_in(user)):
        assert browser.get(f"/comments/reader/{article_id}/").status_code == 404


# --- Across gunicorn's workers ----------------------------------------------------------------


def fetch(port: int, path: str, cookies: dict) -> tuple[int, dict, str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    cookie = "; ".join(f"{name}={value}" for name, value in cookies.items())
    conn.request("GET", path, headers={"Cookie": cookie, "Accept-Encoding": "gzip"})
    response = conn.getresponse()
    body = response.read()
    headers = {k.lower(): v for k, v in response.getheaders()}
    conn.close()
    if headers.get("content-encoding") == "gzip":
        body = gzip.decompress(body)
    return response.status, headers, body.decode()


@pytest.mark.django_db(transaction=True)
def test_through_several_workers_no_reader_gets_anothers_name_vote_link_or_token():
    article = make_article(slug="crowded")
    # Comments show full names; a reader's login name is only ever in their own menu.
    ada = make_user(username="ada-private", first_name="Ada", last_name="Public")
    bob = make_user(username="bob-private", first_name="Bob", last_name="Public")
    shared = make_posted_comment(article, "Everyone's comment.")
    own = {
        "ada": make_posted_comment(article, "Ada's words.", author=member(ada)),
        "bob": make_posted_comment(article, "Bob's words.", author=member(bob)),
        "guest": make_posted_comment(
            article, "Guest's words.", author=guest("Gwen Public", key="gwen-key")
        ),
    }
    services.vote(comment=shared, voter=member(ada), value=1)
    services.vote(comment=shared, voter=guest("Gwen Public", key="gwen-key"), value=-1)
    jar = {
        "ada": {"sessionid": signed_in(ada).cookies["sessionid"].value},
        "bob": {"sessionid": signed_in(bob).cookies["sessionid"].value},
        "guest": {identity.COOKIE: signed_guest_cookie({"k": "gwen-key", "n": "Gwen Private"})},
        "anonymous": {},
    }
    private = {
        "ada": ["ada-private", reverse("comments:edit", args=[own["ada"].pk])],
        "bob": ["bob-private", reverse("comments:edit", args=[own["bob"].pk])],
        "guest": ["Gwen Private", reverse("comments:edit", args=[own["guest"].pk])],
    }
    # The layer is data: a reader's name, and their own comments by id.
    in_layer = {who: texts[0] for who, texts in private.items()}
    everyones = [text for texts in private.values() for text in texts]
    everyones += ["csrfmiddlewaretoken", 'aria-pressed="true"']
    ids = ",".join(str(c.pk) for c in (shared, *own.values()))

    with running_gunicorn(workers=3, NEWSROOM_PAGE_CACHE_SECONDS="300", REDIS_URL="") as port:
        pages = set()
        for _ in range(4):
            for who, cookies in jar.items():
                status, headers, html = fetch(
                    port,
                    f"/articles/crowded/?utm_source=from-{who}",
                    {**cookies, "newsroom_js": "1"},
                )
                assert status == 200
                assert not any(text in html for text in everyones), who
                assert "from-" not in html
                pages.add(html)
                if who == "anonymous":
                    continue
                status, headers, body = fetch(
                    port, f"/comments/reader/{article.pk}/?ids={ids}", cookies
                )
                assert status == 200 and headers["cache-control"] == "private, no-store"
                for other, name in in_layer.items():
                    assert (name in body) == (other == who), (who, other)
                data = json.loads(body)
                expected = {"ada": {str(shared.pk): 1}, "bob": {}, "guest": {str(shared.pk): -1}}
                assert data["votes"] == expected[who]
                assert list(data["own"]) == [str(own[who].pk)]
                # Without the script: a page of their own, private, with only their own things.
                status, headers, html = fetch(port, "/articles/crowded/", cookies)
                assert "private" in headers["cache-control"]
                for other, texts in private.items():
                    assert all((text in html) == (other == who) for text in texts), (who, other)
        assert len(pages) == 1  # the same bytes for everyone


def test_a_guests_layer_costs_two_queries(article):
    author = guest(key="two-queries")
    mine = make_posted_comment(article, author=author)
    other = make_posted_comment(article)
    services.vote(comment=other, voter=author, value=1)

    with CaptureQueriesContext(connection) as queries:
        data = layer(guest_client("two-queries"), article, ids=[mine.pk, other.pk])

    assert data["votes"] == {str(other.pk): 1} and list(data["own"]) == [str(mine.pk)]
    assert len(queries) == 1  # the article, the guest's comments and votes: one query
