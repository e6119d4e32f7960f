"""An open article page learns of new comments by itself: "1 new comment — show" within ten
seconds, announced politely, reached by keyboard, inserted on request without moving what the
reader is reading."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import (
    assert_accessible,
    comment,
    comment_form,
    comment_on_page,
    fill_guest_form,
)
from tests.helpers import make_article

pytestmark = pytest.mark.e2e

WITHIN = 12_000  # ms: the check runs every 5 s; a busy machine gets some slack


def test_a_comment_posted_elsewhere_is_announced_and_inserted_on_request(new_page):
    article = make_article(slug="live-story")
    first = comment(article, "The first word.")
    reader = new_page()
    reader.goto(article.get_absolute_url())
    anchor = comment_on_page(reader, first)
    before = anchor.bounding_box()

    writer = new_page()
    writer.goto(article.get_absolute_url())
    form = comment_form(writer)
    fill_guest_form(form, body="Posted from elsewhere.", name="Wanda", email="wanda@example.org")
    form.get_by_role("button", name="Post comment").click()
    expect(form.get_by_role("alert")).to_have_text("Your comment has been posted.")

    button = reader.get_by_role("button", name="1 new comment — show")
    expect(button).to_be_visible(timeout=WITHIN)
    expect(reader.locator("[data-live-status]")).to_have_text("1 new comment — show")
    assert anchor.bounding_box() == before  # nothing on the page moved
    expect(reader.get_by_text("Posted from elsewhere.")).to_have_count(0)

    button.focus()
    reader.keyboard.press("Enter")

    new = reader.locator("article.comment", has_text="Posted from elsewhere.")
    expect(new).to_be_visible()
    expect(new).to_be_focused()
    expect(button).to_be_hidden()


def test_the_page_with_the_new_comments_bar_is_accessible(axe_page, new_page):
    article = make_article(slug="live-axe")
    comment(article, "Already here.")
    reader = axe_page()
    reader.goto(article.get_absolute_url())
    writer = new_page()
    writer.goto(article.get_absolute_url())
    form = comment_form(writer)
    fill_guest_form(form, body="A second voice.", name="Sam", email="sam@example.org")
    form.get_by_role("button", name="Post comment").click()
    expect(form.get_by_role("alert")).to_have_text("Your comment has been posted.")

    expect(reader.get_by_role("button", name=re.compile("new comment"))).to_be_visible(
        timeout=WITHIN
    )
    assert_accessible(reader)
