"""Staff at work: an editor publishes a story with a photograph, a moderator lets a held
comment through. Both start at the admin's login page and end on the reader's site."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from articles.models import Article
from comments.models import Comment
from tests.e2e.helpers import (
    comment_form,
    comment_on_page,
    fill_guest_form,
    image_loaded,
    sign_in,
)
from tests.helpers import jpeg_bytes, make_article, make_author, make_section, make_user

pytestmark = pytest.mark.e2e


def admin_sign_in(page, user) -> None:
    page.goto("/admin/")
    expect(page).to_have_url(re.compile(r"/admin/login/\?next=/admin/$"))
    sign_in(page, user.username, path=page.url)
    expect(page.get_by_role("heading", name="Site administration")).to_be_visible()


def choose_autocomplete(page, field: str, text: str) -> None:
    """Pick ``text`` in one of the admin's autocomplete (select2) fields."""
    page.locator(f".field-{field} .select2-search__field").fill(text)
    page.get_by_role("option", name=text).click()


def test_editor_writes_and_publishes_an_article_with_an_image(new_page):
    section = make_section(name="Harbour", slug="harbour")
    make_author(name="Rosa Diaz", slug="rosa-diaz")
    editor = make_user("editor", groups=["Editors"], is_staff=True)
    page = new_page()

    admin_sign_in(page, editor)
    page.get_by_role("rowheader", name="Articles", exact=True).get_by_role("link").click()
    page.get_by_role("link", name="Add article").click()
    # Typed key by key: the admin fills in the slug as the headline is typed.
    page.get_by_label("Headline").press_sequentially("Ferry returns to the old quay")
    expect(page.get_by_label("Slug")).to_have_value("ferry-returns-to-the-old-quay")
    page.get_by_label("Standfirst").fill("The first crossing in ten years left at dawn.")
    page.get_by_label("Body").fill("The ferry is back.\n\nIt left at six, on time.")
    page.get_by_label("Lead image:").set_input_files(
        files=[{"name": "ferry.jpg", "mimeType": "image/jpeg", "buffer": jpeg_bytes()}]
    )
    page.get_by_label("Image description").fill("The ferry leaving the quay at dawn")
    page.get_by_label("Caption").fill("The first crossing.")
    page.get_by_label("Section").select_option(label=section.name)
    choose_autocomplete(page, "authors", "Rosa Diaz")
    page.get_by_label("Status").select_option(label="Published")
    page.get_by_role("button", name="Save", exact=True).click()

    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    article = Article.objects.get(slug="ferry-returns-to-the-old-quay")
    assert article.is_published() and article.lead_image

    page.goto("/")
    lead = page.get_by_role("region", name="Lead story")
    expect(lead.get_by_role("link", name="Ferry returns to the old quay")).to_be_visible()
    image = lead.get_by_role("img", name="The ferry leaving the quay at dawn")
    expect(image).to_be_visible()
    assert image_loaded(image)
    lead.get_by_role("link", name="Ferry returns to the old quay").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ferry returns to the old quay")
    expect(page.locator(".story__figure figcaption")).to_contain_text("The first crossing.")


def test_moderator_approves_a_held_comment_and_readers_see_it(new_page):
    article = make_article(headline="Council votes on the quay", comments_premoderated=True)
    moderator = make_user("moderator", groups=["Moderators"], is_staff=True)

    # A reader's comment waits for a moderator; only its author sees it meanwhile.
    reader = new_page()
    reader.goto(article.get_absolute_url())
    form = comment_form(reader)
    fill_guest_form(form, body="Vote it down, please.", name="Olu", email="olu@example.org")
    form.get_by_role("button", name="Post comment").click()
    expect(form.get_by_role("alert")).to_have_text(re.compile("awaiting moderation"))
    held = Comment.objects.get(body="Vote it down, please.")
    assert held.status == Comment.Status.PENDING
    expect(comment_on_page(reader, held).locator(".comment__pending")).to_be_visible()

    page = new_page()
    admin_sign_in(page, moderator)
    page.get_by_role("rowheader", name="Comments", exact=True).get_by_role("link").click()
    queues = page.get_by_role("navigation", name="Moderation queues")
    queues.get_by_role("link", name=re.compile(r"^Pending")).click()
    row = page.locator("#result_list tbody tr", has_text="Vote it down, please.")
    row.get_by_role("checkbox").check()
    page.locator("select[name=action]").select_option(label="Approve selected comments")
    page.get_by_role("button", name="Go").click()
    expect(page.locator(".messagelist")).to_contain_text("1 comment approved.")
    expect(page.locator("#result_list tbody tr", has_text="Vote it down, please.")).to_have_count(0)

    other_reader = new_page()
    other_reader.goto(article.get_absolute_url())
    expect(other_reader.get_by_role("heading", name="1 Comment")).to_be_visible()
    approved = comment_on_page(other_reader, held)
    expect(approved).to_contain_text("Vote it down, please.")
    expect(approved.locator(".comment__pending")).to_have_count(0)
