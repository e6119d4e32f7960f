"""Reader accounts: sign up, sign in, sign out, and reset a forgotten password by email."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.test import Client
from django.urls import reverse

from comments.models import Comment
from tests.comments.helpers import page, post
from tests.helpers import make_article, make_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reader_settings")]

PASSWORD = "correct horse battery"
NEW_PASSWORD = "a fresh tulip meadow 42"


@pytest.fixture
def article(db):
    return make_article(headline="Council approves the new bridge", slug="new-bridge")


def signup_data(**fields) -> dict:
    data = {
        "username": "newreader",
        "email": "newreader@example.org",
        "password1": "tidal barrier 1953",
        "password2": "tidal barrier 1953",
    }
    data.update(fields)
    return data


def is_signed_in(client: Client, user: User) -> bool:
    return client.session.get("_auth_user_id") == str(user.pk)


def confirmation_link(message) -> str:
    return re.search(r"http://testserver(/accounts/signup/confirm/\S+/)", message.body).group(1)


def test_sign_up_confirms_the_email_then_signs_in_and_returns_to_the_article(client, article):
    response = client.post(
        reverse("signup"), {**signup_data(), "next": f"{article.get_absolute_url()}#comments"}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("signup_sent")
    user = User.objects.get(username="newreader")
    assert (user.email, user.is_active) == ("newreader@example.org", False)
    assert "_auth_user_id" not in client.session
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["newreader@example.org"]
    assert mail.outbox[0].subject == "Confirm your email for The Newsroom"
    link = confirmation_link(mail.outbox[0])

    confirm_page = client.get(link)
    assert confirm_page.status_code == 200
    assert "Confirm and sign in" in confirm_page.content.decode()
    user.refresh_from_db()
    assert user.is_active is False  # a mail scanner opening the link confirms nothing
    done = client.post(link)

    assert done.status_code == 302
    assert done["Location"] == "/articles/new-bridge/#comments"
    user.refresh_from_db()
    assert user.is_active is True
    assert user.check_password("tidal barrier 1953")
    assert is_signed_in(client, user)
    assert "Commenting as <strong>newreader</strong>." in page(client, article)
    assert client.post(link).status_code == 400  # used once


def test_an_unconfirmed_account_cannot_sign_in_or_post_as_its_email(client, article):
    client.post(reverse("signup"), signup_data(email="victim@example.org"))

    response = client.post(
        reverse("login"), {"username": "newreader", "password": "tidal barrier 1953"}
    )

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert not Comment.objects.exists()


def test_a_forged_confirmation_link_is_refused(client):
    client.post(reverse("signup"), signup_data())
    link = confirmation_link(mail.outbox[0])

    response = client.post(link[:-3] + "xx/")

    assert response.status_code == 400
    assert "This link has expired or was already used." in response.content.decode()
    assert User.objects.get(username="newreader").is_active is False


def test_sign_up_page_shows_the_form(client):
    response = client.get(reverse("signup"))

    assert response.status_code == 200
    assert "registration/signup.html" in [t.name for t in response.templates]
    html = response.content.decode()
    for name in ["username", "email", "password1", "password2"]:
        assert f'name="{name}"' in html


def test_sign_up_answers_the_same_whether_or_not_the_email_has_an_account(client):
    make_user("existing", email="taken@example.org")

    taken = client.post(reverse("signup"), signup_data(email="TAKEN@example.org"))
    fresh = Client().post(reverse("signup"), signup_data(username="other", email="new@example.org"))

    assert (taken.status_code, taken["Location"]) == (fresh.status_code, fresh["Location"])
    assert Client().get(taken["Location"]).content == Client().get(fresh["Location"]).content
    assert not User.objects.filter(username="newreader").exists()
    # The address's owner hears about it; nobody else does.
    told = [m for m in mail.outbox if m.to == ["taken@example.org"]]
    assert len(told) == 1
    assert "You already have one." in told[0].body
    assert "/accounts/signup/confirm/" not in told[0].body


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"password2": "different"}, "The two password fields didn\u2019t match."),
        ({"email": "not-an-email"}, "Enter a valid email address."),
        ({"username": ""}, "This field is required."),
    ],
)
def test_sign_up_with_bad_details_is_refused(client, fields, message):
    response = client.post(reverse("signup"), signup_data(**fields))

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not User.objects.exists()


def test_sign_up_refuses_a_username_that_differs_only_in_case(client):
    make_user("alice")

    response = client.post(reverse("signup"), signup_data(username="ALICE"))

    assert response.status_code == 400
    assert "A user with that username already exists." in response.content.decode()
    assert User.objects.count() == 1


NUL = "Null characters are not allowed."


@pytest.mark.parametrize(
    ("url", "data", "status"),
    [
        ("signup", {**signup_data(username="nul\x00", email="nul\x00@example.org")}, 400),
        ("login", {"username": "alice\x00", "password": "pass\x00word"}, 200),
        ("password_reset", {"email": "alice\x00@example.org"}, 200),
    ],
)
def test_null_characters_in_account_forms_get_a_message(client, url, data, status):
    make_user("alice", email="alice@example.org")

    response = client.post(reverse(url), data)

    assert response.status_code == status
    assert NUL in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert mail.outbox == []


def test_sign_up_never_redirects_off_site(client):
    client.post(reverse("signup"), {**signup_data(), "next": "https://evil.example/"})

    response = client.post(confirmation_link(mail.outbox[0]))

    assert response["Location"] == "/"


def test_sign_in_returns_to_the_article_and_comments_go_under_the_account(client, article):
    user = make_user("alice")

    response = client.post(
        reverse("login"),
        {"username": "alice", "password": PASSWORD, "next": "/articles/new-bridge/#comments"},
    )

    assert response.status_code == 302
    assert response["Location"] == "/articles/new-bridge/#comments"
    assert is_signed_in(client, user)
    post(client, article, "Signed in now.", name=None, email=None)
    assert Comment.objects.get().user == user


def test_sign_in_with_a_wrong_password_is_refused(client):
    make_user("alice")

    response = client.post(reverse("login"), {"username": "alice", "password": "wrong"})

    assert response.status_code == 200
    assert "Please enter a correct username and password." in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_sign_out_ends_the_session(client, article):
    user = make_user("alice")
    client.force_login(user)

    response = client.post(reverse("logout"))

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert "_auth_user_id" not in client.session
    assert 'name="email"' in page(client, article)


def test_sign_out_needs_a_post(client):
    client.force_login(make_user())

    assert client.get(reverse("logout")).status_code == 405
    assert "_auth_user_id" in client.session


def test_password_reset_by_email(client):
    user = make_user("forgetful", email="forgetful@example.org")

    response = client.post(reverse("password_reset"), {"email": "forgetful@example.org"})

    assert response.status_code == 302
    assert response["Location"] == reverse("password_reset_done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["forgetful@example.org"]
    assert message.subject == "Reset your password on The Newsroom"
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", message.body).group(1)

    form = client.get(link, follow=True)
    assert form.status_code == 200
    assert "Choose a new password" in form.content.decode()
    set_password_url = form.redirect_chain[-1][0]
    done = client.post(
        set_password_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )

    assert done.status_code == 302
    assert done["Location"] == reverse("password_reset_complete")
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    signed_in = Client().post(reverse("login"), {"username": "forgetful", "password": NEW_PASSWORD})
    assert signed_in.status_code == 302


def test_password_reset_link_works_only_once(client):
    make_user("forgetful", email="forgetful@example.org")
    client.post(reverse("password_reset"), {"email": "forgetful@example.org"})
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", mail.outbox[0].body).group(1)
    set_password_url = client.get(link, follow=True).redirect_chain[-1][0]
    client.post(set_password_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    again = Client().get(link, follow=True)

    assert "This link has expired or was already used." in again.content.decode()


def test_password_reset_for_an_unknown_email_sends_nothing_and_says_the_same(client):
    response = client.post(
        reverse("password_reset"), {"email": "stranger@example.org"}, follow=True
    )

    assert response.status_code == 200
    assert (
        "If an account uses that address, we have sent it a link to choose a new password."
        in response.content.decode()
    )
    assert mail.outbox == []


def test_sign_in_and_sign_up_links_return_the_reader_to_the_article(client):
    article = make_article()
    html = client.get(article.get_absolute_url()).content.decode()
    assert f'href="/accounts/login/?next={article.get_absolute_url()}"' in html.replace("%2F", "/")
    assert f'href="/accounts/signup/?next={article.get_absolute_url()}"' in html.replace("%2F", "/")
