"""A page that holds a budget of comments: "N more replies" shows the rest in place, or on a
page of its own without JavaScript; its token-less forms post from the shared copy, and a
form on another site is refused."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from comments.models import Comment
from tests.e2e.helpers import comment, comment_on_page
from tests.helpers import make_article

pytestmark = pytest.mark.e2e


@pytest.fixture
def popular(settings):
    """A thread whose first comment has five replies; the page shows the first two."""
    settings.COMMENTS_REPLIES_SHOWN = 2
    settings.COMMENTS_MAX_DEPTH = 3
    article = make_article()
    root = comment(article, "Who pays for the bridge?")
    replies = [comment(article, f"Answer number {n}.", parent=root) for n in range(5)]
    return article, root, replies


def test_more_replies_load_in_place(page, popular):
    article, _root, replies = popular
    page.goto(article.get_absolute_url())
    expect(comment_on_page(page, replies[1])).to_be_visible()
    expect(comment_on_page(page, replies[2])).to_have_count(0)

    page.get_by_role("link", name="3 more replies").click()

    for reply in replies:
        expect(comment_on_page(page, reply)).to_be_visible()
    expect(comment_on_page(page, replies[0])).to_be_focused()
    expect(page).to_have_url(re.compile(re.escape(article.get_absolute_url()) + "$"))
    expect(page.get_by_role("link", name="3 more replies")).to_have_count(0)


def test_more_replies_without_javascript_open_a_page_of_their_own(page_without_js, popular):
    page = page_without_js
    article, root, replies = popular
    page.goto(article.get_absolute_url())

    page.get_by_role("link", name="3 more replies").click()

    expect(page).to_have_url(re.compile(rf"/comments/{root.pk}/thread/$"))
    for reply in replies:
        expect(comment_on_page(page, reply)).to_be_visible()


def test_a_form_on_another_site_cannot_post_a_comment(page, watch, live_server):
    article = make_article()
    target = f"{live_server.url}/comments/post/{article.pk}/"
    watch.expect_status(403, r"/comments/post/\d+/$")
    page.route(
        "http://elsewhere.example/**",
        lambda route: route.fulfill(
            content_type="text/html",
            body=(
                f'<!doctype html><title>Elsewhere</title><form method="post" action="{target}">'
                '<input name="body" value="Forged from elsewhere.">'
                '<input name="name" value="Mallory"><input name="email" value="m@example.org">'
                '<button type="submit">Send</button></form>'
            ),
        ),
    )
    page.goto("http://elsewhere.example/")

    with page.expect_response(target) as answer:
        page.get_by_role("button", name="Send").click()

    assert answer.value.status == 403
    expect(page.get_by_text("Your session expired before the form was sent.")).to_be_visible()
    assert not Comment.objects.filter(body="Forged from elsewhere.").exists()


def test_the_shared_copy_of_a_page_posts_with_and_without_javascript(
    new_page, live_server, settings
):
    article = make_article()
    comment(article, "Already here.")
    for javascript in (True, False):
        page = new_page(java_script_enabled=javascript)
        page.goto(article.get_absolute_url())  # the shared copy: no token, no cookie
        # ...but the one the script sets to say it runs (newsroom/pagecache.py).
        cookies = [c["name"] for c in page.context.cookies()]
        assert cookies == (["newsroom_js"] if javascript else [])
        form = page.locator("form#comment-form")
        body = f"Posted with JavaScript {'on' if javascript else 'off'}."
        form.get_by_label("Your comment").fill(body)
        form.get_by_label("Name").fill("Hopper")
        form.get_by_label("Email").fill("hopper@example.org")
        form.get_by_role("button", name="Post comment").click()
        expect(page.locator("article.comment .comment__body", has_text=body)).to_be_visible()
        assert Comment.objects.filter(body=body, status=Comment.Status.APPROVED).exists()
