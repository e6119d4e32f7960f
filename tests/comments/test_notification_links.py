"""The links in notification emails: confirm and unsubscribe, used well and badly.

Expired, tampered, truncated and reused links each get a page that says what happened,
never an error page. Opening an unsubscribe link asks first (mail scanners open links); the
page's button and RFC 8058's one-click POST, which mail providers send without a CSRF token
or cookies, unsubscribe.
"""

from __future__ import annotations

import re

import pytest
from django.core import mail, signing
from django.test import Client
from django.urls import reverse

from comments.notifications import links, subscriptions
from comments.notifications.models import Subscription

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reader_settings")]


@pytest.fixture(autouse=True)
def _mail(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SITE_URL = "https://news.example.org"


def guest_subscription(article, email="ada@example.org") -> Subscription:
    subscriptions.subscribe(article=article, kind="all", email=email)
    return Subscription.objects.get(article=article, email=email)


def path_of(url: str) -> str:
    return url.removeprefix("https://news.example.org")


def test_confirmation_link_used_twice_says_it_was_already_confirmed(article):
    subscription = guest_subscription(article)
    url = path_of(links.confirm_url(subscription))
    first = Client().post(url)
    assert first.status_code == 200
    assert "You will get an email" in first.content.decode()
    second = Client().post(url)
    assert second.status_code == 200
    assert "already confirmed" in second.content.decode()
    assert Subscription.objects.confirmed().count() == 1


def test_expired_confirmation_link_says_so_and_confirms_nothing(article, settings):
    subscription = guest_subscription(article)
    url = path_of(links.confirm_url(subscription))
    settings.COMMENTS_CONFIRM_MAX_AGE = -1  # every link is now older than allowed
    response = Client().get(url)
    assert response.status_code == 400
    assert "This link has expired" in response.content.decode()
    assert not Subscription.objects.confirmed().exists()


@pytest.mark.parametrize("name", ["confirm_subscription", "unsubscribe"])
@pytest.mark.parametrize(
    "mangle",
    [
        lambda token: token[:-3] + ("abc" if not token.endswith("abc") else "xyz"),
        lambda token: token[: len(token) // 2],
        lambda token: "nonsense",
        lambda token: "%00%ff" + token,
        lambda token: "a" * 3000,
    ],
    ids=["changed", "truncated", "nonsense", "bytes", "huge"],
)
def test_tampered_links_get_a_clear_page(article, name, mangle):
    subscription = guest_subscription(article)
    url = links.confirm_url(subscription) if name == "confirm_subscription" else None
    url = url or links.unsubscribe_url(subscription)
    token = path_of(url).rstrip("/").rsplit("/", 1)[1]
    response = Client().get(f"/comments/{'confirm' if 'confirm' in name else 'unsubscribe'}/"
                            f"{mangle(token)}/")  # fmt: skip
    assert response.status_code == 400
    assert "This link is not valid" in response.content.decode()
    subscription.refresh_from_db()
    assert subscription.confirmed_at is None


def test_link_signed_for_confirming_cannot_unsubscribe_and_the_reverse(article):
    subscription = guest_subscription(article)
    confirm_token = path_of(links.confirm_url(subscription)).rstrip("/").rsplit("/", 1)[1]
    unsubscribe_token = path_of(links.unsubscribe_url(subscription)).rstrip("/").rsplit("/", 1)[1]
    assert Client().get(f"/comments/unsubscribe/{confirm_token}/").status_code == 400
    assert Client().get(f"/comments/confirm/{unsubscribe_token}/").status_code == 400
    assert Subscription.objects.filter(pk=subscription.pk, confirmed_at=None).exists()


def test_link_with_a_valid_signature_but_a_wrong_key_finds_nothing(article):
    subscription = guest_subscription(article)
    forged = signing.dumps({"s": subscription.pk, "k": "guess"}, salt=links.UNSUBSCRIBE_SALT)
    response = Client().get(reverse("comments:unsubscribe", args=[forged]))
    assert response.status_code == 200
    assert "already unsubscribed" in response.content.decode()
    assert Subscription.objects.filter(pk=subscription.pk).exists()


def test_confirmation_link_of_a_cancelled_subscription_says_it_is_gone(article):
    subscription = guest_subscription(article)
    url = path_of(links.confirm_url(subscription))
    subscription.delete()
    response = Client().get(url)
    assert response.status_code == 410
    assert "no longer exists" in response.content.decode()


def test_opening_the_unsubscribe_link_asks_and_only_the_button_unsubscribes(article):
    # Mail scanners open every link in a message: a GET must change nothing.
    subscription = guest_subscription(article)
    url = path_of(links.unsubscribe_url(subscription))
    for _ in range(3):
        opened = Client().get(url)
        assert opened.status_code == 200
        assert Subscription.objects.filter(pk=subscription.pk).exists()
    page = opened.content.decode()
    assert "Stop these emails?" in page and article.headline in page
    assert '<form method="post">' in page and "csrfmiddlewaretoken" not in page

    response = Client(enforce_csrf_checks=True).post(url)  # the button, no sign-in, no token
    assert response.status_code == 200
    assert "no more emails about this discussion" in response.content.decode()
    assert not Subscription.objects.exists()
    for again in (Client().get(url), Client().post(url)):
        assert again.status_code == 200
        assert "already unsubscribed" in again.content.decode()


def test_one_click_post_unsubscribes_without_csrf_token_or_cookies(article):
    subscription = guest_subscription(article)
    url = path_of(links.unsubscribe_url(subscription))
    client = Client(enforce_csrf_checks=True)
    response = client.post(url, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert not Subscription.objects.exists()


def test_unsubscribe_link_does_not_remove_a_later_subscription_of_the_same_address(article):
    old = guest_subscription(article)
    url = path_of(links.unsubscribe_url(old))
    old.delete()
    new = guest_subscription(article)
    Client().post(url)
    assert Subscription.objects.filter(pk=new.pk).exists()


def test_confirmation_email_link_is_the_one_that_confirms(article):
    guest_subscription(article)
    [message] = mail.outbox
    path = re.search(r"https://news\.example\.org(/comments/confirm/\S+/)", message.body).group(1)
    assert Client().post(path).status_code == 200
    assert Subscription.objects.confirmed().exists()


def test_follow_form_for_a_missing_article_is_not_found():
    response = Client().post(reverse("comments:follow", args=[999999]), {"email": "a@b.org"})
    assert response.status_code == 404
