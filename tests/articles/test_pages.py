from datetime import timedelta

import pytest
from django.utils import timezone

from articles.models import Article
from tests.helpers import make_article, make_author, make_section, make_tag

pytestmark = pytest.mark.django_db


@pytest.fixture
def story():
    section = make_section(name="Climate", slug="climate", description="Weather and warming.")
    tag = make_tag(name="Flooding", slug="flooding")
    author = make_author(name="Ada Quill", slug="ada-quill", bio="Covers the coast.")
    article = make_article(
        headline="River defences hold",
        slug="river-defences-hold",
        section=section,
        tags=[tag],
        authors=[author],
        image=True,
        image_caption="The barrier at dawn.",
        image_credit="Photograph: Newsroom staff",
        image_alt="A steel flood barrier across a river",
        featured=True,
    )
    make_article(headline="Rain returns", section=section, tags=[tag])
    return article


def test_home_shows_the_lead_story_and_sections(client, story, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        response = client.get("/")
    assert response.status_code == 200
    assert "articles/home.html" in [t.name for t in response.templates]
    assert response.context["front"].lead == story
    assert b"River defences hold" in response.content
    assert b"Rain returns" in response.content


def test_article_page_shows_everything_a_reader_expects(client, story):
    response = client.get(story.get_absolute_url())
    assert response.status_code == 200
    assert "articles/article_detail.html" in [t.name for t in response.templates]
    html = response.content.decode()
    for expected in [
        "River defences hold",
        "Ada Quill",
        "Covers the coast.",
        "The barrier at dawn.",
        "Photograph: Newsroom staff",
        'alt="A steel flood barrier across a river"',
        "480w",
        ">Flooding</a>",
        "More on this topic",
        "Rain returns",
        # Shown in the site's time zone (summer time included, whatever the date of the run).
        f'datetime="{timezone.localtime(story.published_at).isoformat()}',
    ]:
        assert expected in html, expected


@pytest.mark.parametrize(
    "url",
    ["/section/climate/", "/tag/flooding/", "/author/ada-quill/", "/search/?q=river"],
)
def test_listing_pages_render_with_their_articles(client, story, url):
    response = client.get(url)
    assert response.status_code == 200
    assert b"River defences hold" in response.content


@pytest.mark.parametrize("page", ["abc", "99999", "-1", "0", "1.5", "%00"])
def test_malformed_page_numbers_show_a_page_not_an_error(client, story, page):
    response = client.get(f"/section/climate/?page={page}")
    assert response.status_code == 200


def test_listing_is_paginated(client):
    section = make_section(slug="busy")
    for _ in range(14):
        make_article(section=section)
    first = client.get("/section/busy/")
    second = client.get("/section/busy/?page=2")
    assert len(first.context["articles"]) == 12
    assert len(second.context["articles"]) == 2
    assert b'rel="next"' in first.content


def test_listing_pages_hold_articles_per_page_articles(client, settings):
    settings.ARTICLES_PER_PAGE = 3
    section = make_section(slug="busy")
    for _ in range(4):
        make_article(section=section)
    assert len(client.get("/section/busy/").context["articles"]) == 3
    assert len(client.get("/section/busy/?page=2").context["articles"]) == 1


@pytest.mark.parametrize(
    "url",
    ["/articles/no-such-story/", "/section/nowhere/", "/tag/nothing/", "/author/nobody/", "/x/"],
)
def test_unknown_addresses_get_the_designed_404_page(client, story, url):
    response = client.get(url)
    assert response.status_code == 404
    assert b"We can\xe2\x80\x99t find that page" in response.content


def test_drafts_and_scheduled_articles_are_invisible_to_readers(client):
    draft = make_article(status=Article.Status.DRAFT)
    scheduled = make_article(published_at=timezone.now() + timedelta(days=1))
    for article in (draft, scheduled):
        assert client.get(article.get_absolute_url()).status_code == 404
    listing = client.get(f"/section/{draft.section.slug}/")
    assert draft.headline.encode() not in listing.content


def test_editors_can_preview_a_draft(client, editor):
    draft = make_article(status=Article.Status.DRAFT)
    client.force_login(editor)
    response = client.get(draft.get_absolute_url())
    assert response.status_code == 200
    assert b"Preview" in response.content
    assert b'name="robots" content="noindex"' in response.content


def test_search_ignores_control_characters_and_empty_queries(client, story):
    assert client.get("/search/?q=%00%01").status_code == 200
    assert client.get("/search/").status_code == 200
    assert client.get("/search/?q=" + "x" * 5000).status_code == 200
    assert client.get("/search/?q=%22unbalanced").status_code == 200


def test_feed_sitemap_and_robots(client, story):
    feed = client.get("/feed/")
    assert feed.status_code == 200
    assert b"River defences hold" in feed.content
    sitemap = client.get("/sitemap.xml")
    assert sitemap.status_code == 200
    assert story.get_absolute_url().encode() in sitemap.content
    robots = client.get("/robots.txt")
    assert b"Disallow: /admin/" in robots.content


def test_reader_pages_send_a_strict_content_security_policy(client, story):
    response = client.get(story.get_absolute_url())
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
