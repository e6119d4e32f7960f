"""Signed-in readers and guests who have commented get the same shared page as everyone, with
their own part layered on by the page's script; with scripts off, a page rendered for them."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from comments.domain import Commenter
from comments.services import post_comment, vote
from tests.e2e.helpers import comment, comment_form, comment_on_page, fill_guest_form, sign_in
from tests.helpers import make_article, make_user

pytestmark = pytest.mark.e2e


def test_two_signed_in_readers_and_a_guest_each_see_only_their_own(new_page):
    article = make_article(slug="shared-by-all")
    ada = make_user(username="ada-private", first_name="Ada", last_name="Public")
    bob = make_user(username="bob-private", first_name="Bob", last_name="Public")
    everyone = comment(article, "Everyone can read this.")
    ada_words = post_comment(
        article=article, parent=None, author=Commenter.from_user(ada), body="Ada writes."
    )
    bob_words = post_comment(
        article=article, parent=None, author=Commenter.from_user(bob), body="Bob writes."
    )
    vote(comment=everyone, voter=Commenter.from_user(ada), value=1)

    pages = {}
    for user in (ada, bob):
        page = new_page()
        sign_in(page, user.username)
        pages[user.username] = page
    guest_page = new_page()
    guest_page.goto(article.get_absolute_url())
    form = comment_form(guest_page)
    fill_guest_form(form, body="Gwen writes.", name="Gwen", email="gwen@example.org")
    form.get_by_role("button", name="Post comment").click()
    expect(form.get_by_role("alert")).to_have_text("Your comment has been posted.")
    pages["guest"] = guest_page

    raw = {}
    for who, page in pages.items():
        response = page.goto(article.get_absolute_url())
        raw[who] = response.text()
    # The same bytes came to all three: the shared copy, with no one's login name or token.
    assert raw["ada-private"] == raw["bob-private"] == raw["guest"]
    assert "ada-private" not in raw["guest"] and "csrfmiddlewaretoken" not in raw["guest"]

    ada_page, bob_page = pages["ada-private"], pages["bob-private"]
    expect(ada_page.get_by_text("Signed in as ada-private")).to_be_visible()
    expect(bob_page.get_by_text("Signed in as bob-private")).to_be_visible()
    expect(ada_page.get_by_text("Commenting as Ada Public.")).to_be_visible()
    expect(comment_form(ada_page).get_by_label("Name")).to_have_count(0)
    # Ada's vote and her own comment's links, on her page alone.
    upvote = comment_on_page(ada_page, everyone).get_by_role("button", name=re.compile("Upvote"))
    expect(upvote).to_have_attribute("aria-pressed", "true")
    expect(comment_on_page(ada_page, ada_words).get_by_role("link", name="Edit")).to_be_visible()
    expect(comment_on_page(ada_page, bob_words).get_by_role("link", name="Edit")).to_have_count(0)
    expect(comment_on_page(bob_page, bob_words).get_by_role("link", name="Edit")).to_be_visible()
    expect(comment_on_page(bob_page, ada_words).get_by_role("link", name="Edit")).to_have_count(0)
    bob_upvote = comment_on_page(bob_page, everyone).get_by_role(
        "button", name=re.compile("Upvote")
    )
    expect(bob_upvote).to_have_attribute("aria-pressed", "false")
    # The guest: their own comment's links, their name in the form, nobody's menu.
    gwen = guest_page.locator("article.comment", has_text="Gwen writes.")
    expect(gwen.get_by_role("link", name="Edit")).to_be_visible()
    expect(comment_form(guest_page).get_by_label("Name")).to_have_value("Gwen")
    expect(guest_page.get_by_text("Signed in as")).to_have_count(0)
    expect(comment_on_page(guest_page, ada_words).get_by_role("link", name="Edit")).to_have_count(0)

    # Signing out from the layered menu works (its token came with the layer).
    ada_page.get_by_role("button", name="Sign out").click()
    ada_page.goto(article.get_absolute_url())
    account = ada_page.get_by_role("navigation", name="Account")
    expect(account.get_by_role("link", name="Sign in")).to_be_visible()
    expect(ada_page.get_by_text("Signed in as")).to_have_count(0)


def test_with_scripts_off_a_signed_in_reader_gets_a_page_of_their_own(page_without_js, live_server):
    page = page_without_js
    article = make_article()
    user = make_user(username="nojs-reader", first_name="Nora", last_name="Script")
    # Left from a time the browser ran scripts: the first page shown without them forgets it.
    page.context.add_cookies([{"name": "newsroom_js", "value": "1", "url": live_server.url}])
    sign_in(page, user.username)
    assert "newsroom_js" not in [cookie["name"] for cookie in page.context.cookies()]

    response = page.goto(article.get_absolute_url())

    assert "private" in response.headers["cache-control"]
    expect(page.get_by_text("Signed in as nojs-reader")).to_be_visible()
    form = comment_form(page)
    expect(form.get_by_text("Commenting as Nora Script.")).to_be_visible()
    form.get_by_label("Your comment").fill("Posted without any script.")
    form.get_by_role("button", name="Post comment").click()
    mine = page.locator("article.comment", has_text="Posted without any script.")
    expect(mine.get_by_role("link", name="Edit")).to_be_visible()
    expect(page.get_by_text("Signed in as nojs-reader")).to_be_visible()
