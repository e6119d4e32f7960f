"""Sessions live in newsroom.Session: Django's session table plus the account each one is
signed in to, kept from the session's data on every save (newsroom/sessions.py), so that a
reader's session, account and layer are read in one round trip. Everything else about
sessions is Django's: signing in and out, expiry, a password change ending other sessions."""

from __future__ import annotations

import importlib
import json
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore as DjangoSessionStore
from django.contrib.sessions.models import Session as DjangoSession
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from newsroom.models import Session
from newsroom.sessions import SessionStore
from newsroom.signed_in import MODEL_BACKEND
from tests.helpers import make_article, make_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reader_settings")]
PASSWORD = "correct horse battery"  # tests.helpers.make_user's


def row(client: Client) -> Session:
    return Session.objects.get(session_key=client.cookies["sessionid"].value)


def layer_user(client: Client, article) -> dict | None:
    response = client.get(reverse("comments:reader", args=[article.pk]))
    assert response.status_code == 200
    return json.loads(response.content).get("user")


def test_signing_in_keeps_the_account_beside_the_session_and_signing_out_deletes_it():
    user = make_user("alice")
    client = Client()

    response = client.post(reverse("login"), {"username": "alice", "password": PASSWORD})

    assert response.status_code == 302
    assert row(client).user_id == user.pk
    assert row(client).get_decoded()[SESSION_KEY] == str(user.pk)
    key = client.cookies["sessionid"].value
    client.post(reverse("logout"))
    assert not Session.objects.filter(session_key=key).exists()


def test_a_guests_session_has_no_account():
    store = SessionStore()
    store["something"] = "of a guest's"
    store.create()

    assert Session.objects.get(session_key=store.session_key).user_id is None
    assert SessionStore(store.session_key)["something"] == "of a guest's"


def test_a_password_change_keeps_this_session_signed_in_and_ends_the_others():
    user = make_user("alice", is_staff=True)
    article = make_article()
    elsewhere = Client()
    elsewhere.force_login(user)
    here = Client()
    here.force_login(user)

    response = here.post(
        reverse("admin:password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "a much newer password 42",
            "new_password2": "a much newer password 42",
        },
    )

    assert response.status_code == 302
    # Django moves this session to a new key with the new hash; the column goes with it.
    assert row(here).user_id == user.pk
    assert layer_user(here, article)["username"] == "alice"
    assert layer_user(elsewhere, article) is None


def test_sessions_are_cleared_by_django_once_expired():
    user = make_user()
    client = Client()
    client.force_login(user)
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))

    call_command("clearsessions")

    assert not Session.objects.exists()


def test_the_migration_carries_sessions_over_so_readers_stay_signed_in():
    user = make_user("alice")
    article = make_article()
    old = DjangoSessionStore()
    old[SESSION_KEY] = str(user.pk)
    old[BACKEND_SESSION_KEY] = MODEL_BACKEND
    old[HASH_SESSION_KEY] = user.get_session_auth_hash()
    old.create()
    guest = DjangoSessionStore()
    guest["something"] = "of a guest's"
    guest.create()
    expired = DjangoSessionStore()
    expired["something"] = "long gone"
    expired.set_expiry(-1)
    expired.create()
    migration = importlib.import_module("newsroom.migrations.0003_sessions_with_their_account")
    Session.objects.all().delete()  # what the table holds when the migration runs

    migration.carry_over(apps, SimpleNamespace(connection=connection))

    assert dict(Session.objects.values_list("session_key", "user_id")) == {
        old.session_key: user.pk,
        guest.session_key: None,
    }
    assert not DjangoSession.objects.exists()
    client = Client()
    client.cookies["sessionid"] = old.session_key
    assert layer_user(client, article)["username"] == "alice"

    migration.carry_back(apps, SimpleNamespace(connection=connection))

    assert set(DjangoSession.objects.values_list("session_key", flat=True)) == {
        old.session_key,
        guest.session_key,
    }
    assert not Session.objects.exists()
