"""Readers choose "Notify me of" and follow discussions in a browser, with and without
JavaScript. Tasks run in the live server's process, so mail lands in ``mail.outbox``."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from django.core import mail
from playwright.sync_api import expect

from comments.notifications import links
from comments.notifications.models import Subscription
from tests.e2e.helpers import comment_form, fill_guest_form
from tests.helpers import make_article

pytestmark = pytest.mark.e2e


def confirmation_path() -> str:
    [message] = mail.outbox
    return re.search(r"https?://[^/\s]+(/comments/confirm/\S+/)", message.body).group(1)


def test_guest_chooses_replies_when_posting_and_confirms_by_the_emailed_link(page):
    article = make_article()
    page.goto(article.get_absolute_url())
    form = comment_form(page)
    fill_guest_form(form, body="Who pays for the bridge?", name="Ida", email="ida@example.org")
    form.get_by_label("Notify me of").select_option(label="Replies to my comments")
    form.get_by_role("button", name="Post comment").click()

    expect(form.get_by_role("alert")).to_contain_text("Check your inbox")
    subscription = Subscription.objects.get()
    assert (subscription.email, subscription.kind, subscription.confirmed_at) == (
        "ida@example.org",
        "replies",
        None,
    )
    page.goto(confirmation_path())
    page.get_by_role("button", name="Confirm").click()  # opening the link alone confirms nothing
    expect(page.get_by_role("heading", name="Subscription confirmed")).to_be_visible()
    assert Subscription.objects.confirmed().count() == 1


def test_guest_follows_a_discussion_without_commenting_or_javascript(page_without_js):
    page = page_without_js
    article = make_article()
    page.goto(article.get_absolute_url())
    follow = page.locator("form.follow-form")
    follow.get_by_label("Your email").fill("jo@example.org")
    follow.get_by_role("button", name="Follow").click()

    expect(page.get_by_role("status")).to_contain_text("Check your inbox")
    page.goto(confirmation_path())
    page.get_by_role("button", name="Confirm").click()  # opening the link alone confirms nothing
    expect(page.get_by_role("heading", name="Subscription confirmed")).to_be_visible()
    assert Subscription.objects.confirmed().get().email == "jo@example.org"


def test_the_unsubscribe_link_asks_and_the_button_unsubscribes(page_without_js):
    page = page_without_js
    article = make_article(headline="Ferry fares frozen")
    page.goto(article.get_absolute_url())
    follow = page.locator("form.follow-form")
    follow.get_by_label("Your email").fill("kim@example.org")
    follow.get_by_role("button", name="Follow").click()
    page.goto(confirmation_path())
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("heading", name="Subscription confirmed")).to_be_visible()
    subscription = Subscription.objects.confirmed().get()

    page.goto(urlsplit(links.unsubscribe_url(subscription)).path)
    expect(page.get_by_role("heading", name="Stop these emails?")).to_be_visible()
    assert Subscription.objects.filter(pk=subscription.pk).exists()  # opening it changed nothing
    page.get_by_role("button", name="Unsubscribe").click()
    expect(page.get_by_role("heading", name="You are unsubscribed")).to_be_visible()
    expect(page.get_by_role("link", name="Ferry fares frozen")).to_be_visible()
    assert not Subscription.objects.exists()
