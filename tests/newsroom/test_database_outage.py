"""While the database is away the site answers a calm 503 and keeps what the reader typed.

The outage is real: the connection is closed and pointed at a folder where no server listens,
so psycopg itself fails to connect, as it does while PostgreSQL restarts.
"""

from __future__ import annotations

import logging
from contextlib import contextmanager

import pytest
from django.db import OperationalError, connections
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils.html import escape

from newsroom import views
from tests.comments.helpers import form_data
from tests.helpers import make_article

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def database_away(tmp_path):
    @contextmanager
    def away():
        connection = connections["default"]
        connection.close()
        saved = connection.settings_dict["HOST"], connection.settings_dict["PORT"]
        connection.settings_dict["HOST"], connection.settings_dict["PORT"] = str(tmp_path), ""
        try:
            yield
        finally:
            connection.close()
            connection.settings_dict["HOST"], connection.settings_dict["PORT"] = saved

    return away


def test_a_comment_sent_during_an_outage_comes_back_in_a_form_with_its_text(database_away, caplog):
    article = make_article()
    body = 'Line one <b>bold</b> & "quoted"\n\nSecond paragraph — ünïcode.'
    client = Client()
    with database_away(), caplog.at_level(logging.WARNING):
        response = client.post(
            reverse("comments:post", args=[article.pk]),
            form_data(body, name="Ada <Lovelace>", email="ada@example.org", parent="7"),
        )
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    html = response.content.decode()
    assert f'id="id_body" rows="5">\n{escape(body)}</textarea>' in html
    assert f'value="{escape("Ada <Lovelace>")}"' in html
    assert 'name="email" id="id_email" value="ada@example.org"' in html
    assert '<input type="hidden" name="parent" value="7">' in html
    assert f'action="{reverse("comments:post", args=[article.pk])}"' in html
    # One warning line, no error and no traceback.
    assert [(r.levelname, r.exc_info) for r in caplog.records] == [("WARNING", None)]
    assert "Database unavailable, answered 503 to POST" in caplog.records[0].getMessage()


def test_a_sign_in_during_an_outage_never_echoes_the_password(database_away):
    with database_away():
        response = Client().post(
            "/accounts/login/", {"username": "ada", "password": "s3cret-Words"}
        )
    assert response.status_code == 503
    assert b"s3cret-Words" not in response.content
    assert b"<form" not in response.content


def test_the_javascript_path_gets_a_json_503_and_keeps_the_text_in_the_page(database_away):
    article = make_article()
    with database_away():
        response = Client().post(
            reverse("comments:post", args=[article.pk]),
            form_data("Kept by the script."),
            headers={"accept": "application/json"},
        )
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response.json()["ok"] is False
    assert "briefly unavailable" in response.json()["message"]


def test_pages_answer_503_during_an_outage_and_serve_again_once_it_is_back(database_away):
    article = make_article()
    client = Client()
    assert client.get(article.get_absolute_url()).status_code == 200
    with database_away():
        for url in (article.get_absolute_url(), "/", "/healthz"):
            response = client.get(url)
            assert response.status_code == 503, url
            assert b"Traceback" not in response.content
        assert client.get("/")["Retry-After"] == "5"
        assert b"Send again" not in client.get("/").content  # nothing was sent: no form
    # No restart: the next request connects again.
    assert client.get(article.get_absolute_url()).status_code == 200
    response = client.post(
        reverse("comments:post", args=[article.pk]), form_data("After the outage.")
    )
    assert response.status_code == 302


def test_an_outage_outside_a_view_is_a_503_too():
    """A lost connection raised past the views (a middleware saving the session, a signal)
    reaches the 500 handler, which answers the same calm 503."""
    request = RequestFactory().get("/")
    try:
        raise OperationalError("connection is bad: server closed the connection")
    except OperationalError:
        response = views.server_error(request)
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "We are back in a moment" in response.content.decode()


def test_other_errors_still_get_the_500_page():
    try:
        raise ValueError("a bug")
    except ValueError:
        response = views.server_error(RequestFactory().get("/"))
    assert response.status_code == 500


def test_connections_are_checked_before_reuse(settings):
    """After a restart a worker's old connection is dead: Django tests it at the start of the
    next request and reconnects, so the site recovers without restarting gunicorn."""
    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True
    assert settings.DATABASES["default"]["CONN_MAX_AGE"] > 0


def test_notifications_that_meet_an_outage_log_one_warning_without_a_traceback(
    database_away, caplog
):
    """A comment saved just before the database went away: queueing its notifications (after
    the commit) fails, and says so in one line."""
    from comments.notifications import dispatch
    from tests.comments.helpers import make_posted_comment

    comment = make_posted_comment(make_article(), "Saved in time.")
    with database_away(), caplog.at_level(logging.WARNING):
        dispatch.comment_posted(comment)
    assert [(r.levelname, r.exc_info) for r in caplog.records] == [("WARNING", None)]
    assert (
        caplog.records[0]
        .getMessage()
        .startswith(
            f"Could not queue notifications for comment {comment.pk}: the database is unavailable"
        )
    )
