from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from articles.models import Article
from tests.helpers import jpeg_bytes, make_article, make_author, make_section

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.mark.parametrize(
    "url",
    [
        "/admin/",
        "/admin/articles/article/",
        "/admin/articles/article/add/",
        "/admin/articles/article/?state=scheduled",
        "/admin/articles/article/?state=draft&q=river",
        "/admin/articles/section/",
        "/admin/articles/tag/",
        "/admin/articles/author/",
    ],
)
def test_admin_pages_load_for_an_editor(editor_client, url):
    make_article()
    assert editor_client.get(url).status_code == 200


def test_editor_change_page_has_a_preview_link(editor_client):
    article = make_article(status=Article.Status.DRAFT)
    response = editor_client.get(f"/admin/articles/article/{article.pk}/change/")
    assert response.status_code == 200
    assert article.get_absolute_url().encode() in response.content


def test_editors_cannot_manage_user_accounts(editor_client):
    assert editor_client.get("/admin/auth/user/").status_code == 403


def test_editor_writes_an_article_with_an_image(editor_client):
    section = make_section()
    author = make_author()
    response = editor_client.post(
        "/admin/articles/article/add/",
        {
            "headline": "Ferry returns",
            "slug": "ferry-returns",
            "standfirst": "Service resumes.",
            "body": "The ferry is back.",
            "lead_image": SimpleUploadedFile("ferry.jpg", jpeg_bytes(), "image/jpeg"),
            "image_alt": "A ferry",
            "image_caption": "The ferry",
            "image_credit": "Staff",
            "section": section.pk,
            "authors": [author.pk],
            "status": "published",
            "comments_open": "on",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    article = Article.objects.get(slug="ferry-returns")
    assert article.is_published()
    assert article.lead_image_renditions["sizes"]


def test_publish_and_unpublish_actions(editor_client):
    draft = make_article(status=Article.Status.DRAFT, published_at=None)
    scheduled = make_article(published_at=timezone.now() + timedelta(days=2))
    editor_client.post(
        "/admin/articles/article/",
        {"action": "publish", "_selected_action": [draft.pk, scheduled.pk]},
    )
    draft.refresh_from_db()
    scheduled.refresh_from_db()
    assert draft.is_published() and scheduled.is_published()
    editor_client.post(
        "/admin/articles/article/", {"action": "unpublish", "_selected_action": [draft.pk]}
    )
    draft.refresh_from_db()
    assert draft.status == Article.Status.DRAFT
