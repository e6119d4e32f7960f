"""Readers take their data and leave, in Chromium: a signed-in reader downloads their data and
deletes the account through the emailed link; a guest does both from the page footer. The
article page's JSON-LD is read as a browser sees it, under the strict CSP."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core import mail
from playwright.sync_api import expect

from comments.models import Comment
from newsroom.models import AccountDeletion
from tests.comments.moderation_support import guest, make_comment_row, member
from tests.e2e.helpers import sign_in
from tests.helpers import make_article, make_user

pytestmark = pytest.mark.e2e

LINK = re.compile(r"https?://[^/\s]+(/accounts/data/\S+/)")


def emailed_path() -> str:
    return LINK.search(mail.outbox[-1].body).group(1)


def test_reader_downloads_their_data_and_deletes_the_account(page):
    article = make_article()
    reader = make_user("ines", email="ines@example.org")
    make_comment_row(article, "My view of the bridge.", author=member(reader))
    sign_in(page, "ines")
    page.goto("/")
    page.get_by_role("link", name="Your data").click()
    expect(page.get_by_role("heading", name="Your data", level=1)).to_be_visible()

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download my data").click()
    download = download_info.value
    assert download.suggested_filename == "ines-data.json"
    data = json.loads(Path(download.path()).read_text(encoding="utf-8"))
    assert [c["body"] for c in data["comments"]] == ["My view of the bridge."]

    page.get_by_role("button", name="Delete my account").click()
    expect(page.get_by_role("status")).to_contain_text("We have emailed you a link")
    assert AccountDeletion.objects.count() == 0
    page.goto(emailed_path())
    page.get_by_role("button", name="Yes, delete my account").click()
    expect(page.get_by_role("heading", name="Account deletion confirmed")).to_be_visible()
    deletion = AccountDeletion.objects.get()
    assert deletion.user == reader
    # Signed out; signing in again during the grace period keeps the account.
    expect(page.get_by_role("link", name="Sign in")).to_be_visible()
    sign_in(page, "ines", path="/accounts/login/?next=/accounts/data/")
    expect(page.get_by_text("Your account will be deleted on")).to_be_visible()
    page.get_by_role("button", name="Keep my account").click()
    expect(page.get_by_role("status")).to_contain_text("Your account stays")
    assert AccountDeletion.objects.count() == 0
    assert User.objects.filter(pk=reader.pk).exists()


def test_guest_downloads_and_erases_through_the_emailed_link(page_without_js):
    page = page_without_js
    article = make_article()
    make_comment_row(article, "A guest's remark.", author=guest("Olu", email="olu@example.org"))
    page.goto(article.get_absolute_url())
    page.get_by_role("link", name="Your comments as a guest: download or erase").click()
    page.get_by_label("The email address you commented with").fill("olu@example.org")
    page.get_by_role("button", name="Send me the link").click()
    expect(page.get_by_role("status")).to_contain_text("a link to it is on its way")

    page.goto(emailed_path())
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download my data").click()
    data = json.loads(Path(download_info.value.path()).read_text(encoding="utf-8"))
    assert [c["body"] for c in data["comments"]] == ["A guest's remark."]
    page.get_by_role("button", name="Erase my comments").click()
    expect(page.get_by_role("heading", name="Erased")).to_be_visible()
    comment = Comment.objects.get()
    assert (comment.guest_name, comment.guest_email) == ("Deleted account", "")


def test_article_page_json_ld_is_read_by_the_browser_and_breaks_nothing(page):
    article = make_article(headline="Sea wall </script> works")
    make_comment_row(article, "First </script><script>alert(1)</script> comment.")
    page.goto(article.get_absolute_url())
    text = page.locator('script[type="application/ld+json"]').text_content()
    data = json.loads(text)
    assert data["@type"] == "NewsArticle" and data["headline"] == "Sea wall </script> works"
    assert data["comment"][0]["text"] == "First </script><script>alert(1)</script> comment."
    assert page.evaluate("typeof window.alert") == "function"  # nothing ran; no CSP report
    feed = page.locator('link[rel="alternate"][title="Comments on this article"]')
    assert feed.get_attribute("href") == f"{article.get_absolute_url()}comments/feed/"
