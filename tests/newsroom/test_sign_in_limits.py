"""Sign-in resists guessing: failed sign-ins lock out an address or a username for a cool-off
(django-axes, counted in PostgreSQL); password resets and sign-ups are limited per address and
per username or email in the shared store. Each refusal is a clear 429 page."""

from __future__ import annotations

import http.client
import re
import urllib.parse

import pytest
from axes.models import AccessAttempt
from django.core import mail
from django.test import Client
from django.urls import reverse

from tests.helpers import make_user
from tests.processes import running_gunicorn

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"
LOCKED = "There have been too many attempts from your network or for this account"


@pytest.fixture(autouse=True)
def _limits(settings):
    settings.AXES_FAILURE_LIMIT = 5
    settings.ACCOUNTS_RATE_LIMITS = "5/hour"


def sign_in(url: str, username: str, password: str, address: str = "203.0.113.5"):
    return Client().post(
        url, {"username": username, "password": password, "next": "/"}, REMOTE_ADDR=address
    )


def assert_locked(response) -> None:
    assert response.status_code == 429
    assert LOCKED in response.content.decode()
    assert "Please try again in 15 minutes." in response.content.decode()
    assert int(response["Retry-After"]) == 15 * 60


@pytest.mark.parametrize("url", ["/admin/login/", "/accounts/login/"])
def test_twenty_wrong_passwords_lock_the_account_out_even_for_the_right_one(url):
    make_user("chief-editor", is_staff=True, is_superuser=True)
    statuses = [sign_in(url, "chief-editor", f"guess {n}").status_code for n in range(20)]

    assert statuses[:4] == [200] * 4  # the form again, "please enter a correct..."
    assert statuses[4:] == [429] * 16  # the fifth failure locks it
    assert_locked(sign_in(url, "chief-editor", PASSWORD))
    assert AccessAttempt.objects.filter(username="chief-editor").exists()


def test_a_username_is_locked_out_whatever_the_address():
    make_user("alice")
    for n in range(5):
        sign_in("/accounts/login/", "alice", "wrong", address=f"198.51.100.{n + 1}")

    assert_locked(sign_in("/accounts/login/", "alice", PASSWORD, address="192.0.2.200"))
    make_user("bob")
    assert sign_in("/accounts/login/", "bob", PASSWORD, address="192.0.2.200").status_code == 302


def test_an_address_is_locked_out_whatever_the_username():
    make_user("carol")
    for n in range(5):
        sign_in("/accounts/login/", f"someone-{n}", "wrong", address="203.0.113.66")

    assert_locked(sign_in("/accounts/login/", "carol", PASSWORD, address="203.0.113.66"))
    assert sign_in("/accounts/login/", "carol", PASSWORD, address="203.0.113.67").status_code == 302


def test_an_ipv6_network_is_locked_out_whatever_address_of_its_64_guesses_from():
    make_user("dora")
    for n in range(5):  # a new address of the same /64 for every guess
        sign_in("/accounts/login/", "someone", "wrong", address=f"2001:db8:5:7::{n + 1:x}")

    assert_locked(sign_in("/accounts/login/", "dora", PASSWORD, address="2001:db8:5:7:ab::9"))
    assert (
        sign_in("/accounts/login/", "dora", PASSWORD, address="2001:db8:5:8::1").status_code == 302
    )


def reset(email: str, address: str = "203.0.113.5"):
    return Client().post(reverse("password_reset"), {"email": email}, REMOTE_ADDR=address)


def test_password_resets_are_limited_per_address():
    make_user("dave", email="dave@example.org")
    statuses = [reset(f"person{n}@example.org").status_code for n in range(5)]
    assert statuses == [302] * 5

    response = reset("dave@example.org")

    assert response.status_code == 429
    assert LOCKED in response.content.decode()
    assert mail.outbox == []


def test_password_resets_are_limited_per_email():
    make_user("erin", email="erin@example.org")
    for n in range(5):
        reset("erin@example.org", address=f"198.51.100.{n + 1}")

    assert reset("ERIN@example.org", address="192.0.2.99").status_code == 429
    assert len(mail.outbox) == 5


def signup(username: str, email: str, address: str = "203.0.113.5"):
    return Client().post(
        reverse("signup"),
        {"username": username, "email": email, "password1": "a quiet harbour 77",
         "password2": "a quiet harbour 77"},
        REMOTE_ADDR=address,
    )  # fmt: skip


def test_sign_ups_are_limited_per_address_and_per_email():
    for n in range(5):
        assert signup(f"reader{n}", f"reader{n}@example.org").status_code == 302

    assert signup("reader9", "reader9@example.org").status_code == 429
    for n in range(5):
        signup(f"other{n}", "same@example.org", address=f"198.51.100.{n + 1}")
    assert signup("other9", "same@example.org", address="192.0.2.1").status_code == 429


def guess(port: int, username: str, password: str, headers: dict | None = None):
    """One sign-in attempt as a fresh visitor: a new connection, the form's own CSRF cookie.
    Returns the answer's status and text."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", "/admin/login/", headers=headers or {})
    page = connection.getresponse()
    form = page.read().decode()
    cookie = page.getheader("Set-Cookie", "").split(";")[0]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
    body = urllib.parse.urlencode(
        {"username": username, "password": password, "csrfmiddlewaretoken": token}
    )
    connection.request(
        "POST",
        "/admin/login/",
        body,
        {
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": cookie,
            "Origin": f"http://127.0.0.1:{port}",
            "Referer": f"http://127.0.0.1:{port}/admin/login/",
            **(headers or {}),
        },
    )
    answer = connection.getresponse()
    text = answer.read().decode()
    connection.close()
    return answer.status, text


@pytest.mark.django_db(transaction=True)
def test_wrong_passwords_spread_over_gunicorn_workers_lock_out_just_the_same():
    """The failures are counted in PostgreSQL, so whichever of the workers answers each guess,
    the fifth locks the account out (cookie-less guesses, one address)."""
    make_user("night-editor", is_staff=True)
    with running_gunicorn(workers=3) as port:
        answers = [guess(port, "night-editor", f"guess {n}") for n in range(8)]
    assert [status for status, _ in answers] == [200] * 4 + [429] * 4
    assert LOCKED in answers[-1][1]


@pytest.mark.django_db(transaction=True)
def test_guesses_from_ever_new_addresses_of_one_ipv6_64_lock_it_out_across_workers():
    """Behind a proxy (one trusted hop), each guess from another address of the same /64 and
    for another username: the network is locked out all the same, not another /64."""
    with running_gunicorn(workers=3, NEWSROOM_TRUSTED_PROXY_HOPS="1") as port:
        answers = [
            guess(port, f"someone-{n}", "wrong", {"X-Forwarded-For": f"2001:db8:9:9::{n + 1:x}"})
            for n in range(8)
        ]
        elsewhere = guess(port, "someone-else", "wrong", {"X-Forwarded-For": "2001:db8:9:a::1"})
    assert [status for status, _ in answers] == [200] * 4 + [429] * 4
    assert elsewhere[0] == 200
