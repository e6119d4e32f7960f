"""Readers find a story, read its discussion in any order, page through it and follow links
to single comments."""

from __future__ import annotations

import os
import re

import pytest
from playwright.sync_api import expect

from articles.demo import load_articles
from comments.demo import load_comments
from tests.e2e.helpers import (
    BASE_DIR,
    chain,
    comment,
    comment_on_page,
    expect_highlighted,
    image_loaded,
    top_level_bodies,
    upvote,
)
from tests.helpers import make_article

pytestmark = pytest.mark.e2e


def test_reader_opens_the_front_page_and_an_article(page):
    lead = make_article(
        headline="Tidal barrier holds as storm drives river to record height",
        featured=True,
        image=True,
        image_alt="Waves breaking over the barrier",
    )
    other = make_article(headline="Night buses return to the valley", image=True)
    comment(other, "About time: the last bus left at ten.")

    page.goto("/")
    expect(page).to_have_title(re.compile("Newsroom"))
    lead_story = page.get_by_role("region", name="Lead story")
    expect(lead_story.get_by_role("link", name=lead.headline)).to_be_visible()
    assert image_loaded(lead_story.get_by_role("img", name="Waves breaking over the barrier"))

    page.get_by_role("link", name=other.headline).first.click()
    expect(page).to_have_url(re.compile(re.escape(other.get_absolute_url()) + "$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(other.headline)
    assert image_loaded(page.locator(".story__figure img"))
    expect(page.get_by_role("heading", name="1 Comment")).to_be_visible()
    expect(page.get_by_text("About time: the last bus left at ten.")).to_be_visible()


def test_reader_follows_a_demo_story_into_its_discussion(page):
    """The demo site's own content: a long discussion with a pick, deep replies and a deleted
    comment. ``make screenshot`` saves this page's discussion as docs/article-page.png."""
    load_articles()
    load_comments()
    headline = "Tidal barrier holds as storm drives the Ambry to a record height"

    page.goto("/")
    page.get_by_role("link", name=headline).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(headline)
    threads = page.locator("#comment-threads")
    first = threads.locator("article.comment").first
    expect(first.locator(".badge--pick")).to_have_text(re.compile(r"^Editor.s pick$"))
    expect(threads.get_by_text("Comment deleted")).to_be_visible()

    # A long thread folds away and back.
    toggle = first.locator("button.collapse-toggle")
    expect(toggle).to_have_text("Hide replies")
    first_id = first.get_attribute("id")
    replies = page.locator(f"li:has(> #{first_id}) > ol.comment-thread")
    toggle.click()
    expect(replies).to_be_hidden()
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(toggle).to_have_text(re.compile(r"^Show replies \(\d+\)$"))
    toggle.click()
    expect(replies).to_be_visible()
    expect(toggle).to_have_attribute("aria-expanded", "true")

    if os.environ.get("UPDATE_DOCS_SCREENSHOT"):
        save_docs_screenshot(page)


def save_docs_screenshot(page) -> None:
    """The discussion as the README shows it: 1280 pixels wide, from the comments' heading."""
    page.set_viewport_size({"width": 1280, "height": 800})
    top = page.locator("#comments").evaluate("el => el.getBoundingClientRect().top + scrollY")
    height = page.evaluate("document.documentElement.scrollHeight")
    y = max(0, top - 24)
    page.screenshot(
        path=BASE_DIR / "docs" / "article-page.png",
        full_page=True,
        clip={"x": 0, "y": y, "width": 1280, "height": min(1600, height - y)},
    )


def test_reader_sorts_the_discussion_by_each_tab(page):
    article = make_article()
    first = comment(article, "First, and liked a little.", name="Ada")
    second = comment(article, "Second, and liked a lot.", name="Ben")
    third = comment(article, "Third, and not liked at all.", name="Cy")
    upvote(first, 1)
    upvote(second, 3)
    a, b, c = first.body, second.body, third.body

    page.goto(article.get_absolute_url())
    assert top_level_bodies(page) == [a, b, c]
    tabs = page.get_by_role("navigation", name="Sort comments")
    expected = {
        "Newest": ("newest", [c, b, a]),
        "Most voted": ("votes", [b, a, c]),
        "Oldest": ("oldest", [a, b, c]),
    }
    for tab, (key, order) in expected.items():
        tabs.get_by_role("link", name=tab).click()
        expect(page).to_have_url(re.compile(rf"\?comments={key}#comments$"))
        expect(tabs.get_by_role("link", name=tab)).to_have_attribute("aria-current", "true")
        assert top_level_bodies(page) == order, tab


def test_reader_loads_more_threads_in_place(page, settings):
    settings.COMMENTS_PER_PAGE = 3
    article = make_article()
    for n in range(1, 8):
        comment(article, f"Thread number {n}.", name=f"Reader {n}")
    url = article.get_absolute_url()

    page.goto(url)
    assert top_level_bodies(page) == ["Thread number 1.", "Thread number 2.", "Thread number 3."]
    page.get_by_role("link", name="View more comments").click()
    expect(page.get_by_text("Thread number 6.")).to_be_visible()
    # The new threads join the page (no reload) and the first of them takes the focus.
    expect(page).to_have_url(re.compile(re.escape(url) + "$"))
    expect(page.locator("article.comment", has_text="Thread number 4.")).to_be_focused()
    page.get_by_role("link", name="View more comments").click()
    expect(page.get_by_text("Thread number 7.")).to_be_visible()
    assert top_level_bodies(page) == [f"Thread number {n}." for n in range(1, 8)]
    expect(page.get_by_role("link", name="View more comments")).to_have_count(0)


def test_permalink_opens_the_page_that_holds_the_comment_highlighted(page, settings):
    settings.COMMENTS_PER_PAGE = 2
    article = make_article()
    comment(article, "Thread one.")
    comment(article, "Thread two.")
    third = comment(article, "Thread three, on the second page.")
    for n in range(12):  # enough replies to push the target below the fold
        comment(article, f"Reply {n} to the third thread.", parent=third)
    target = comment(article, "The reply someone linked to.", parent=third)

    page.goto(f"/comments/{target.pk}/")
    expect(page).to_have_url(
        re.compile(rf"{re.escape(article.get_absolute_url())}\?cpage=2&highlight={target.pk}#c")
    )
    expect_highlighted(page, target)
    expect(comment_on_page(page, target)).to_contain_text("The reply someone linked to.")


def test_permalink_to_a_deep_comment_opens_its_continued_thread(page):
    article = make_article()
    thread = chain(article, 9)  # levels 0-8; the article page shows levels 0-5

    page.goto(article.get_absolute_url())
    expect(comment_on_page(page, thread[5])).to_be_visible()
    expect(comment_on_page(page, thread[6])).to_have_count(0)
    more = comment_on_page(page, thread[5]).get_by_role("link", name=re.compile("^Continue"))
    expect(more).to_have_text("Continue this thread (3 more replies)")

    deep = thread[8]
    page.goto(f"/comments/{deep.pk}/")
    expect(page).to_have_url(
        re.compile(rf"/comments/{thread[5].pk}/thread/\?highlight={deep.pk}#c{deep.pk}$")
    )
    expect(page.get_by_role("heading", level=1)).to_have_text("Continued thread")
    expect(comment_on_page(page, deep)).to_contain_text("Level 8 speaks.")
    expect_highlighted(page, deep)
    page.get_by_role("link", name="Up to the earlier part of this thread").click()
    expect_highlighted(page, thread[4])
