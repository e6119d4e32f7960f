"""A removed comment's author appeals, in Chromium: the scorer holds a guest's comment, one
moderator removes it, its author reads why beside their comment and in the email, opens the
appeal page (which axe-core finds accessible) and explains; the same moderator cannot decide
the appeal, another reinstates the comment, and readers see it."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from comments.models import Appeal, Comment
from tests.comments.language_support import UNSURE, scorer  # noqa: F401 (a fixture)
from tests.e2e.helpers import (
    assert_accessible,
    comment_form,
    comment_on_page,
    fill_guest_form,
    sign_in,
)
from tests.helpers import make_article, make_user

pytestmark = pytest.mark.e2e


def admin_sign_in(page, user) -> None:
    page.goto("/admin/")
    sign_in(page, user.username, path=page.url)
    expect(page.get_by_role("heading", name="Site administration")).to_be_visible()


def choose_action(page, row_text: str, action: str, reason: str = "") -> None:
    row = page.locator("#result_list tbody tr", has_text=row_text)
    row.get_by_role("checkbox").check()
    page.locator("select[name=action]").select_option(label=action)
    if reason:
        page.get_by_label("Reason").fill(reason)
    page.get_by_role("button", name="Go").click()


def test_author_appeals_and_a_different_moderator_reinstates(new_page, axe_page, scorer):  # noqa: F811
    article = make_article(headline="Town hall debates the new estate")
    alice = make_user("alice", groups=["Moderators"], is_staff=True)
    bob = make_user("bob", groups=["Moderators"], is_staff=True)

    # The scorer is unsure about a guest's comment: held, with only its author seeing it.
    author = axe_page()
    author.goto(article.get_absolute_url())
    form = comment_form(author)
    fill_guest_form(form, body=UNSURE, name="Nora", email="nora@example.org")
    form.get_by_role("button", name="Post comment").click()
    expect(form.get_by_role("alert")).to_have_text(re.compile("awaiting moderation"))
    held = Comment.objects.get(body=UNSURE)
    assert held.status == Comment.Status.PENDING

    # Alice sees why it was held, and removes it.
    moderator = new_page()
    admin_sign_in(moderator, alice)
    moderator.goto("/admin/comments/comment/?queue=pending")
    row = moderator.locator("#result_list tbody tr", has_text=UNSURE[:20])
    expect(row).to_contain_text("hate=0.62")
    choose_action(moderator, UNSURE[:20], "Remove selected comments (replies stay)", "Hostile.")
    expect(moderator.locator(".messagelist")).to_contain_text("1 comment removed.")

    # The author is told by email, and beside their own comment on the page.
    to_nora = [message for message in mail.outbox if message.to == ["nora@example.org"]]
    assert [message.subject for message in to_nora] == [
        "About your comment on “Town hall debates the new estate”"
    ]
    emailed = re.search(r"https?://\S+(/comments/appeal/\S+/)", to_nora[0].body).group(1)
    author.goto(article.get_absolute_url())
    mine = comment_on_page(author, held)
    expect(mine).to_contain_text("Removed by a moderator: only you can see this comment.")
    mine.get_by_role("link", name="Why, and how to appeal").click()
    expect(author.get_by_role("heading", level=1)).to_have_text("About your comment")
    expect(author.locator(".statement")).to_contain_text("A moderator made this decision.")
    expect(author.locator(".statement")).to_contain_text("reason: “Hostile.”")
    assert_accessible(author)

    # The emailed link opens the same page in a browser without the author's cookies.
    elsewhere = new_page()
    elsewhere.goto(emailed)
    expect(elsewhere.get_by_role("button", name="Send my appeal")).to_be_visible()
    elsewhere.get_by_label("Why should your comment be reinstated?").fill(
        "I was quoting what I hear at the market, to argue against it."
    )
    elsewhere.get_by_role("button", name="Send my appeal").click()
    expect(elsewhere.locator(".messages")).to_contain_text("Your appeal is in the moderators")
    expect(elsewhere.get_by_text("Your appeal waits for a moderator")).to_be_visible()
    author.goto(emailed)  # the page after the appeal, too
    assert_accessible(author)

    # Alice may not decide an appeal against her own decision.
    moderator.goto("/admin/comments/appeal/?state=open")
    choose_action(moderator, "quoting what I hear", "Reinstate the comments (grant the appeals)")
    expect(moderator.locator(".messagelist")).to_contain_text(
        "A different moderator must decide this appeal"
    )
    assert Comment.objects.get(pk=held.pk).status == Comment.Status.REMOVED

    # Bob reinstates it; readers see it.
    other = new_page()
    admin_sign_in(other, bob)
    other.goto("/admin/comments/comment/?queue=appeals")
    expect(other.locator("#result_list tbody tr", has_text=UNSURE[:20])).to_have_count(1)
    other.goto("/admin/comments/appeal/?state=open")
    choose_action(other, "quoting what I hear", "Reinstate the comments (grant the appeals)")
    expect(other.locator(".messagelist")).to_contain_text("1 appeal decided.")
    appeal = Appeal.objects.get()
    assert (appeal.outcome, appeal.decided_by_id) == ("reinstated", bob.pk)

    reader = new_page()
    reader.goto(article.get_absolute_url())
    expect(comment_on_page(reader, held)).to_contain_text(UNSURE)
