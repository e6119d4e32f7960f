"""Accessible to all: axe-core, with its default rules and target-size, finds no problem on the
pages readers use most, in the light and the dark theme; and a reader with only a keyboard can
post a comment and reply to another, seeing where they are and hearing what went wrong."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Locator, Page, expect

from comments.models import Comment
from comments.notifications import links, subscriptions
from comments.notifications.models import Subscription
from newsroom import own_data
from tests.e2e.helpers import (
    assert_accessible,
    comment,
    comment_form,
    comment_on_page,
    sign_in,
    upvote,
)
from tests.helpers import make_article, make_user

pytestmark = pytest.mark.e2e

THEMES = ["light", "dark"]


def discussion():
    """An illustrated article with a lively discussion: replies, a pick, a deleted comment."""
    article = make_article(
        headline="Harbour ferry returns after ten years",
        image=True,
        image_alt="The ferry at the quay",
        image_caption="The first crossing, at dawn.",
        image_credit="Staff photographer",
    )
    make_article(headline="Quay repairs begin in spring", section=article.section, image=True)
    first = comment(article, "Finally! I used to take it to school.", name="Ada")
    reply = comment(article, "Same here. The 7.40 was always late.", parent=first, name="Ben")
    comment(article, "> always late\n\nSome things never change.", parent=reply, name="Cy")
    gone = comment(article, "I will delete this.", name="Dee")
    comment(article, "Replying to a comment that was deleted.", parent=gone, name="Eve")
    gone.is_deleted = True
    gone.save(update_fields=["is_deleted"])
    pick = comment(article, "The timetable is at harbour.example.org/ferry.", name="Fay")
    Comment.objects.filter(pk=pick.pk).update(is_featured=True)
    on_passage = comment(article, "Which paragraph is this?", name="Gus")
    Comment.objects.filter(pk=on_passage.pk).update(passage=2, quote="Second paragraph.")
    upvote(first, 2)
    Comment.objects.recount(article.pk)
    return article


def open_front_page(page: Page) -> None:
    make_article(headline="Storm barrier holds", featured=True, image=True, image_alt="Waves")
    make_article(headline="Night buses return", image=True, image_alt="A bus")
    make_article(headline="Library lends drills")
    page.goto("/")


def open_article(page: Page) -> None:
    """Through a permalink (a highlighted comment), then a vote and an open reply form."""
    discussion()
    linked = Comment.objects.get(body__startswith="Same here.")
    page.goto(linked.get_absolute_url())
    expect(page.locator("article.comment--pick")).to_be_visible()
    expect(comment_on_page(page, linked)).to_have_class(re.compile("comment--highlight"))
    first = comment_on_page(page, Comment.objects.get(body__startswith="Finally!"))
    first.get_by_role("button", name="Upvote 2").click()
    expect(first.get_by_role("button", name="Upvote 3")).to_have_attribute("aria-pressed", "true")
    comment_on_page(page, linked).get_by_role("link", name="Reply").click()
    expect(page.locator(f"#reply-form-{linked.pk}")).to_be_visible()


def open_form_with_errors_in_place(page: Page) -> None:
    page.goto(make_article().get_absolute_url())
    form = comment_form(page)
    form.get_by_label("Your comment").fill("No name, no email.")
    form.get_by_role("button", name="Post comment").click()
    expect(form.get_by_role("alert")).to_contain_text("Tell us the name to show.")


def open_form_page_with_errors(page: Page) -> None:
    """The page a reader without JavaScript gets back (HTTP 400)."""
    page.goto(make_article().get_absolute_url())
    comment_form(page).get_by_label("Your comment").fill("No name, no email.")
    # form.submit() skips the page's script, as a browser without JavaScript would.
    with page.expect_navigation():
        comment_form(page).evaluate("form => form.submit()")
    expect(page.get_by_role("heading", level=1)).to_have_text("Post a comment")


def open_passage_chosen_in_place(page: Page) -> None:
    """Words selected in the article: the button that offers them, then the form quoting them."""
    page.goto(discussion().get_absolute_url())
    # A double-click on its first word selects it, as a reader would.
    page.locator("#para-1").dblclick(position={"x": 8, "y": 8})
    button = page.get_by_role("button", name="Comment on the selected words")
    expect(button).to_be_visible()
    button.click()
    expect(comment_form(page).locator("[data-passage-preview]")).to_be_visible()


def open_passage_page(page: Page) -> None:
    """The list of paragraphs a reader without JavaScript chooses from, after an error."""
    page.goto(discussion().get_absolute_url())
    comment_form(page).get_by_role("link", name="comment on one passage").click()
    with page.expect_navigation():
        comment_form(page).evaluate("form => form.submit()")
    expect(page.get_by_role("heading", level=1)).to_have_text("Comment on a passage")
    expect(comment_form(page).get_by_role("alert")).to_contain_text("Choose the passage")


def open_login(page: Page) -> None:
    page.goto("/accounts/login/")


def open_signup(page: Page) -> None:
    page.goto("/accounts/signup/")


def open_search(page: Page) -> None:
    make_article(headline="Ferry timetable changes", image=True, image_alt="A timetable")
    make_article(headline="Ferry fares frozen")
    page.goto("/search/?q=ferry")
    expect(page.get_by_text("2 results for “ferry”")).to_be_visible()


def open_unsubscribe(page: Page) -> None:
    """The page an unsubscribe link in an email opens: it asks before it acts."""
    article = make_article()
    subscriptions.subscribe(article=article, kind="all", email="reader@example.org")
    subscription = Subscription.objects.get(article=article)
    page.goto(urlsplit(links.unsubscribe_url(subscription)).path)
    expect(page.get_by_role("heading", level=1)).to_have_text("Stop these emails?")


def open_confirm_subscription(page: Page) -> None:
    """The page a guest's confirmation link opens: it asks, and only its button confirms."""
    article = make_article()
    subscriptions.subscribe(article=article, kind="all", email="reader@example.org")
    subscription = Subscription.objects.get(article=article)
    page.goto(urlsplit(links.confirm_url(subscription)).path)
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm your subscription?")


def open_own_data(page: Page) -> None:
    """A signed-in reader's data page: download, and delete the account."""
    make_user("rhea", email="rhea@example.org")
    sign_in(page, "rhea", path="/accounts/login/?next=/accounts/data/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your data")


def open_guest_data(page: Page) -> None:
    """The page a guest's emailed link opens: download, or erase."""
    page.goto(f"/accounts/data/guest/{own_data.guest_token('guest@example.org')}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your comments as a guest")


PAGES = {
    "front-page": open_front_page,
    "article-with-comments": open_article,
    "comment-form-errors-in-place": open_form_with_errors_in_place,
    "comment-form-errors-page": open_form_page_with_errors,
    "passage-chosen-in-place": open_passage_chosen_in_place,
    "passage-page-with-errors": open_passage_page,
    "login": open_login,
    "signup": open_signup,
    "search": open_search,
    "unsubscribe": open_unsubscribe,
    "confirm-subscription": open_confirm_subscription,
    "own-data": open_own_data,
    "guest-data": open_guest_data,
}


@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("name", PAGES)
def test_page_has_no_accessibility_problems(axe_page, watch, name, theme):
    watch.expect_status(400, r"/comments/post/\d+/$")
    page = axe_page(color_scheme=theme)
    PAGES[name](page)
    assert_accessible(page)


# --- The keyboard alone ---------------------------------------------------------------------


def focused(locator: Locator) -> bool:
    return locator.evaluate("element => element === document.activeElement")


def tab_to(page: Page, target: Locator, *, backwards: bool = False, limit: int = 60) -> None:
    """Press Tab (or Shift+Tab) until ``target`` has the focus."""
    key = "Shift+Tab" if backwards else "Tab"
    for _ in range(limit):
        if target.count() and focused(target):
            return
        page.keyboard.press(key)
    raise AssertionError(f"{limit} presses of {key} never reached {target}")


def assert_focus_visible(page: Page) -> None:
    """The focused element shows a focus ring at least 2px wide."""
    ring = page.evaluate(
        """() => {
            const el = document.activeElement, style = getComputedStyle(el);
            return {what: el.outerHTML.slice(0, 80), style: style.outlineStyle,
                    width: parseFloat(style.outlineWidth), visible: el.matches(':focus-visible')};
        }"""
    )
    assert ring["visible"] and ring["style"] != "none" and ring["width"] >= 2, ring


def test_keyboard_only_reader_posts_a_comment_and_a_reply(page, watch):
    watch.expect_status(400, r"/comments/post/\d+/$")
    article = make_article()
    ada = comment(article, "When will the new quay open?", name="Ada")
    page.goto(article.get_absolute_url())

    # The first Tab reaches the skip link, which leads straight to the content.
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    assert_focus_visible(page)
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()

    form = comment_form(page)
    body = form.get_by_label("Your comment")
    tab_to(page, body)
    assert_focus_visible(page)

    # Sending the empty form: the errors are announced, and the fields say they are wrong.
    tab_to(page, form.get_by_role("button", name="Post comment"))
    assert_focus_visible(page)
    page.keyboard.press("Enter")
    alert = form.get_by_role("alert")
    expect(alert).to_contain_text("Write something before you post.")
    expect(alert).to_contain_text("Tell us the name to show.")
    expect(body).to_have_attribute("aria-invalid", "true")
    expect(form.get_by_label("Email")).to_have_attribute("aria-invalid", "true")

    tab_to(page, body, backwards=True)
    page.keyboard.type("The harbour board should.")
    page.keyboard.press("Tab")
    expect(form.get_by_label("Name")).to_be_focused()
    page.keyboard.type("Kit")
    page.keyboard.press("Tab")
    expect(form.get_by_label("Email")).to_be_focused()
    page.keyboard.type("kit@example.org")
    tab_to(page, form.get_by_role("button", name="Post comment"))
    page.keyboard.press("Enter")
    expect(alert).to_have_text("Your comment has been posted.")
    mine = page.locator("article.comment", has_text="The harbour board should.")
    expect(mine).to_be_focused()
    assert_focus_visible(page)

    # Back to Ada's comment, and reply to it.
    reply_link = comment_on_page(page, ada).get_by_role("link", name="Reply")
    tab_to(page, reply_link, backwards=True)
    assert_focus_visible(page)
    page.keyboard.press("Enter")
    reply_form = page.locator(f"form#reply-form-{ada.pk}")
    expect(reply_form.get_by_label("Your comment")).to_be_focused()
    assert_focus_visible(page)
    page.keyboard.type("And the council should help.")
    # The reply form remembers the name and email just typed.
    expect(reply_form.get_by_label("Name")).to_have_value("Kit")
    tab_to(page, reply_form.get_by_role("button", name="Post reply"))
    assert_focus_visible(page)
    page.keyboard.press("Enter")
    answer = page.locator("article.comment", has_text="And the council should help.")
    expect(answer).to_be_focused()
    assert_focus_visible(page)
    expect(page.locator(f"li:has(> #c{ada.pk}) > ol.comment-thread article.comment")).to_have_text(
        re.compile("And the council should help.")
    )
    assert Comment.objects.get(body="And the council should help.").parent_id == ada.pk
