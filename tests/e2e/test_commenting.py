"""Readers take part: post, reply, vote, report, edit and delete their own words, sign up.
Posting and replying are proven with JavaScript on (in place) and off (plain forms)."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from comments.models import Comment, Flag, Vote
from tests.e2e.helpers import (
    comment,
    comment_form,
    comment_on_page,
    expect_highlighted,
    fill_guest_form,
)
from tests.helpers import make_article

pytestmark = pytest.mark.e2e


def posted(page, body: str) -> Comment:
    """The comment just posted with ``body``, once the page shows it."""
    expect(page.locator("article.comment .comment__body", has_text=body)).to_be_visible()
    return Comment.objects.get(body=body)


# --- Posting --------------------------------------------------------------------------------


def test_guest_posts_a_comment_in_place(page):
    article = make_article()
    page.goto(article.get_absolute_url())
    form = comment_form(page)
    fill_guest_form(
        form, body="The harbour wall needs fixing first.", name="Grace", email="grace@example.org"
    )
    form.get_by_role("button", name="Post comment").click()

    expect(form.get_by_role("alert")).to_have_text("Your comment has been posted.")
    new = posted(page, "The harbour wall needs fixing first.")
    assert new.status == Comment.Status.APPROVED and new.guest_name == "Grace"
    element = comment_on_page(page, new)
    expect(element).to_be_focused()
    expect(element.locator(".comment__author")).to_have_text("Grace")
    expect(form.get_by_label("Your comment")).to_have_value("")
    # The page remembers the guest: their own comment offers Edit and Delete, not a vote.
    expect(element.get_by_role("link", name="Edit")).to_be_visible()
    expect(element.get_by_role("button", name=re.compile("Upvote"))).to_have_count(0)


def test_guest_posts_a_comment_without_javascript(page_without_js):
    page = page_without_js
    article = make_article()
    page.goto(article.get_absolute_url())
    form = comment_form(page)
    fill_guest_form(
        form, body="Posted the old-fashioned way.", name="Hedy", email="hedy@example.org"
    )
    form.get_by_role("button", name="Post comment").click()

    new = posted(page, "Posted the old-fashioned way.")
    expect(page).to_have_url(re.compile(rf"\?highlight={new.pk}#c{new.pk}$"))
    expect_highlighted(page, new)
    expect(comment_on_page(page, new).locator(".comment__author")).to_have_text("Hedy")
    expect(page.get_by_role("heading", name="1 Comment")).to_be_visible()


def test_guest_sees_what_to_fix_in_place(page, watch):
    watch.expect_status(400, r"/comments/post/\d+/$")
    article = make_article()
    page.goto(article.get_absolute_url())
    form = comment_form(page)
    form.get_by_label("Your comment").fill("I forgot to say who I am.")
    form.get_by_role("button", name="Post comment").click()

    expect(form.get_by_role("alert")).to_contain_text("Tell us the name to show.")
    expect(form.get_by_label("Name")).to_have_attribute("aria-invalid", "true")
    expect(form.get_by_label("Your comment")).to_have_value("I forgot to say who I am.")
    assert not Comment.objects.exists()


def test_guest_sees_what_to_fix_without_javascript(page_without_js, watch):
    watch.expect_status(400, r"/comments/post/\d+/$")
    page = page_without_js
    article = make_article()
    page.goto(article.get_absolute_url())
    form = comment_form(page)
    form.get_by_label("Your comment").fill("Nameless, again.")
    form.get_by_role("button", name="Post comment").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Post a comment")
    form = comment_form(page)
    expect(form.get_by_role("alert")).to_contain_text("Tell us the name to show.")
    expect(form.get_by_label("Name")).to_have_attribute("aria-invalid", "true")
    expect(form.get_by_label("Your comment")).to_have_value("Nameless, again.")
    # Fixing the form posts the comment.
    form.get_by_label("Name").fill("Ida")
    form.get_by_label("Email").fill("ida@example.org")
    form.get_by_role("button", name="Post comment").click()
    expect_highlighted(page, posted(page, "Nameless, again."))


# --- Replying -------------------------------------------------------------------------------


def test_guest_replies_to_a_reply_in_place(page):
    article = make_article()
    first = comment(article, "The ferry should run all night.", name="Ada")
    reply = comment(article, "Who would take it at 3 a.m.?", parent=first, name="Ben")

    page.goto(article.get_absolute_url())
    comment_on_page(page, reply).get_by_role("link", name="Reply").click()
    form = page.locator(f"form#reply-form-{reply.pk}")
    expect(form.get_by_label("Your comment")).to_be_focused()
    fill_guest_form(form, body="Night-shift nurses, for a start.", name="Cy", email="cy@ex.org")
    form.get_by_role("button", name="Post reply").click()

    answer = posted(page, "Night-shift nurses, for a start.")
    assert answer.parent_id == reply.pk
    nested = page.locator(f"li:has(> #c{reply.pk}) > ol.comment-thread > li > #c{answer.pk}")
    expect(nested).to_be_focused()
    expect(form).to_have_count(0)  # the reply form goes once its reply is posted


def test_guest_replies_to_a_reply_without_javascript(page_without_js):
    page = page_without_js
    article = make_article()
    first = comment(article, "Put a lift in the station.", name="Ada")
    reply = comment(article, "And a ramp at the quay.", parent=first, name="Ben")

    page.goto(article.get_absolute_url())
    comment_on_page(page, reply).get_by_role("link", name="Reply").click()
    expect(page).to_have_url(re.compile(rf"/comments/{reply.pk}/reply/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Reply")
    expect(page.locator("blockquote")).to_contain_text("And a ramp at the quay.")
    form = comment_form(page)
    fill_guest_form(form, body="Both, and soon.", name="Cy", email="cy@example.org")
    form.get_by_role("button", name="Post reply").click()

    answer = posted(page, "Both, and soon.")
    assert answer.parent_id == reply.pk
    expect_highlighted(page, answer)
    nested = page.locator(f"li:has(> #c{reply.pk}) > ol.comment-thread > li > #c{answer.pk}")
    expect(nested).to_be_visible()


# --- Voting and reporting -------------------------------------------------------------------


def test_reader_votes_on_a_comment(page):
    article = make_article()
    target = comment(article, "Rents are the real story here.")

    page.goto(article.get_absolute_url())
    element = comment_on_page(page, target)
    element.get_by_role("button", name="Upvote 0").click()
    upvote = element.get_by_role("button", name="Upvote 1")
    expect(upvote).to_have_attribute("aria-pressed", "true")
    expect(upvote.locator(".vote__count")).to_have_text("1")

    # The vote is kept (the browser is remembered), and can be changed.
    page.reload()
    element = comment_on_page(page, target)
    expect(element.get_by_role("button", name="Upvote 1")).to_have_attribute("aria-pressed", "true")
    element.get_by_role("button", name="Downvote 0").click()
    expect(element.get_by_role("button", name="Downvote 1")).to_have_attribute(
        "aria-pressed", "true"
    )
    expect(element.get_by_role("button", name="Upvote 0")).to_have_attribute(
        "aria-pressed", "false"
    )
    assert list(Vote.objects.values_list("comment_id", "value")) == [(target.pk, -1)]


def test_reader_reports_a_comment(page):
    article = make_article()
    target = comment(article, "Buy cheap watches at my shop!")

    page.goto(article.get_absolute_url())
    comment_on_page(page, target).get_by_role("link", name="Report").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Report a comment")
    page.get_by_label("Spam or advertising").check()
    page.get_by_label("Anything moderators should know?").fill("Posted on every article.")
    page.get_by_role("button", name="Send report").click()

    expect(page.get_by_role("status")).to_have_text(
        "Thank you. Moderators will look at this comment."
    )
    expect_highlighted(page, target)
    flag = Flag.objects.get()
    assert (flag.comment_id, flag.reason, flag.details) == (
        target.pk,
        "spam",
        "Posted on every article.",
    )


# --- One's own comments ---------------------------------------------------------------------


def test_guest_edits_and_deletes_their_own_comment(page):
    article = make_article()
    page.goto(article.get_absolute_url())
    form = comment_form(page)
    fill_guest_form(form, body="The vote is on Tuesdy.", name="Joan", email="joan@example.org")
    form.get_by_role("button", name="Post comment").click()
    mine = comment_on_page(page, posted(page, "The vote is on Tuesdy."))
    expect(mine).to_be_focused()

    mine.get_by_role("link", name="Edit").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Edit your comment")
    page.get_by_label("Your comment").fill("The vote is on Tuesday.")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("status")).to_have_text("Your comment has been updated.")
    mine = page.locator("article.comment", has_text="The vote is on Tuesday.")
    expect(mine.locator(".comment__edited")).to_have_text("edited")
    assert Comment.objects.get().body == "The vote is on Tuesday."

    mine.get_by_role("link", name="Delete").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Delete your comment?")
    page.get_by_role("button", name="Delete comment").click()
    expect(page.get_by_role("status")).to_have_text("Your comment has been deleted.")
    expect(page.get_by_role("heading", name="0 Comments")).to_be_visible()
    expect(page.get_by_text("No comments yet.")).to_be_visible()
    assert not Comment.objects.exists()


# --- Accounts -------------------------------------------------------------------------------


def test_reader_signs_up_and_comments_under_their_name(page):
    article = make_article()
    page.goto(article.get_absolute_url())
    page.get_by_role("navigation", name="Account").get_by_role(
        "link", name="Create account"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Create an account")
    page.get_by_label("Username").fill("marta")
    page.get_by_label("Email").fill("marta@example.org")
    page.get_by_label(re.compile("^Password:?$")).fill("a long and unusual passphrase")
    page.get_by_label("Password confirmation").fill("a long and unusual passphrase")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")

    (message,) = mail.outbox
    assert message.to == ["marta@example.org"]
    link = re.search(r"https?://[^/\s]+(/accounts/signup/confirm/\S+/)", message.body).group(1)
    page.goto(link)
    page.get_by_role("button", name="Confirm and sign in").click()
    expect(page.get_by_text("Signed in as marta")).to_be_visible()

    page.goto(article.get_absolute_url())
    form = comment_form(page)
    expect(form).to_contain_text("Commenting as marta.")
    expect(form.get_by_label("Name")).to_have_count(0)
    form.get_by_label("Your comment").fill("Signed in, and glad to be.")
    form.get_by_role("button", name="Post comment").click()
    mine = comment_on_page(page, posted(page, "Signed in, and glad to be."))
    expect(mine.locator(".comment__author")).to_have_text("marta")
    assert Comment.objects.get().user.username == "marta"


# --- On one passage of the article ----------------------------------------------------------

SELECT_WORDS = """([id, words]) => {
    const text = document.getElementById(id).firstChild;
    const start = text.data.indexOf(words);
    const range = document.createRange();
    range.setStart(text, start);
    range.setEnd(text, start + words.length);
    getSelection().removeAllRanges();
    getSelection().addRange(range);
}"""


def test_reader_comments_on_words_they_select_in_the_article(page):
    article = make_article(
        body="The ferry will run every hour from May.\n\nTickets will cost three pounds."
    )
    earlier = comment(article, "Will it stop at Greyhythe?", name="Ada")
    page.goto(article.get_absolute_url())
    button = page.get_by_role("button", name="Comment on the selected words")
    expect(button).to_be_hidden()

    page.evaluate(SELECT_WORDS, ["para-1", "every hour"])
    button.click()
    form = comment_form(page)
    expect(form.locator("[data-passage-preview]")).to_contain_text("every hour")
    expect(form.get_by_label("Your comment")).to_be_focused()
    # A reply answers a comment, not the passage: its form does not carry it.
    comment_on_page(page, earlier).get_by_role("link", name="Reply").click()
    reply_form = page.locator(f"form#reply-form-{earlier.pk}")
    expect(reply_form.locator("[data-passage-preview]")).to_have_count(0)
    reply_form.get_by_role("button", name="Cancel").click()

    fill_guest_form(form, body="Hourly is not enough in summer.", name="Ben", email="b@ex.org")
    form.get_by_role("button", name="Post comment").click()

    new = posted(page, "Hourly is not enough in summer.")
    assert (new.passage, new.quote, new.parent_id) == (1, "every hour", None)
    element = comment_on_page(page, new)
    expect(element.locator(".comment__passage blockquote")).to_have_text("every hour")
    expect(form.locator("[data-passage-preview]")).to_be_hidden()  # the next one is general
    element.get_by_role("link", name="On this passage of the article").click()
    expect(page).to_have_url(re.compile("#para-1$"))
    expect(page.locator("#para-1")).to_be_in_viewport()


def test_reader_can_drop_the_passage_and_comment_on_the_whole_article(page):
    article = make_article(body="Only one paragraph here.")
    page.goto(article.get_absolute_url())
    page.evaluate(SELECT_WORDS, ["para-1", "one paragraph"])
    page.get_by_role("button", name="Comment on the selected words").click()
    form = comment_form(page)
    form.get_by_role("button", name="Comment on the whole article instead").click()
    expect(form.locator("[data-passage-preview]")).to_be_hidden()

    fill_guest_form(form, body="In general, yes.", name="Cy", email="cy@ex.org")
    form.get_by_role("button", name="Post comment").click()
    new = posted(page, "In general, yes.")
    assert (new.passage, new.quote) == (None, "")


def test_reader_without_javascript_chooses_the_passage_from_a_list(page_without_js, watch):
    watch.expect_status(400, r"/comments/post/\d+/$")
    page = page_without_js
    article = make_article(
        body="The ferry will run every hour from May.\n\nTickets will cost three pounds."
    )
    page.goto(article.get_absolute_url())
    comment_form(page).get_by_role("link", name="comment on one passage").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Comment on a passage")

    form = comment_form(page)
    form.get_by_role("button", name="Post comment").click()  # forgot to choose
    form = comment_form(page)
    expect(form.get_by_role("alert")).to_contain_text("Choose the passage your comment is about.")
    form.get_by_label("Tickets will cost three pounds.").check()
    fill_guest_form(form, body="Three pounds each way?", name="Dee", email="dee@ex.org")
    form.get_by_role("button", name="Post comment").click()

    new = posted(page, "Three pounds each way?")
    assert (new.passage, new.quote) == (2, "Tickets will cost three pounds.")
    expect(comment_on_page(page, new).locator(".comment__passage")).to_contain_text(
        "Tickets will cost three pounds."
    )
