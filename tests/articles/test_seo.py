"""What search engines find: JSON-LD NewsArticle, a comment feed per article, search that
forgives typos, imported articles in the sitemap."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from xml.etree import ElementTree

import pytest
from django.utils import timezone

from articles import selectors
from articles.models import Article
from comments.models import Comment
from tests.comments.helpers import guest, make_posted_comment
from tests.helpers import make_article, make_author, make_tag

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reader_settings")]

# schema.org's properties that Google's NewsArticle and Comment rich results require or
# recommend, with the types their values must have.
NEWS_ARTICLE = {
    "headline": str,
    "datePublished": str,
    "dateModified": str,
    "author": list,
    "publisher": dict,
    "mainEntityOfPage": dict,
    "commentCount": int,
}
COMMENT = {"author": dict, "dateCreated": str, "text": str}

_LD = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)


def json_ld(response) -> dict:
    blocks = _LD.findall(response.content.decode())
    assert len(blocks) == 1
    return json.loads(blocks[0])


@pytest.fixture
def story():
    return make_article(
        slug="harbour-wall",
        headline="Harbour wall </script><script>alert(1)</script> gives way",
        authors=[make_author(name="Ada Quill", slug="ada-quill")],
        tags=[make_tag(name="Coast", slug="coast")],
        image=True,
    )


def test_article_page_describes_itself_as_a_news_article(client, story):
    first = make_posted_comment(
        story, "First! </script><b>bold</b> & more", author=guest("Zoë", email="zoe@example.org")
    )
    make_posted_comment(story, "A reply is not a first comment.", parent=first)
    make_posted_comment(story, "Held.", status=Comment.Status.PENDING)
    later = make_posted_comment(story, "Second thread.")
    Comment.objects.filter(pk=later.pk).update(created_at=timezone.now() + timedelta(minutes=1))
    Comment.objects.recount(story.pk)
    response = client.get(story.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    # Nothing in the data ends the script element early.
    block = _LD.search(html).group(1)
    assert "</script" not in block.lower() and "<" not in block
    data = json_ld(response)
    assert data["@context"] == "https://schema.org" and data["@type"] == "NewsArticle"
    for name, kind in NEWS_ARTICLE.items():
        assert isinstance(data[name], kind), name
    assert data["headline"] == story.headline[:110]
    assert data["author"] == [
        {"@type": "Person", "name": "Ada Quill", "url": "http://testserver/author/ada-quill/"}
    ]
    assert data["publisher"]["@type"] == "NewsMediaOrganization"
    assert data["image"][0].startswith("http://testserver/media/")
    assert data["mainEntityOfPage"]["@id"] == "http://testserver/articles/harbour-wall/"
    assert data["datePublished"] == story.published_at.isoformat()
    assert data["commentCount"] == 3
    assert [c["text"] for c in data["comment"]] == [
        "First! </script><b>bold</b> & more",
        "Second thread.",
    ]
    for comment in data["comment"]:
        assert comment["@type"] == "Comment"
        for name, kind in COMMENT.items():
            assert isinstance(comment[name], kind), name
    assert data["comment"][0]["author"] == {"@type": "Person", "name": "Zoë"}


def test_the_page_links_its_comment_feed_and_the_feed_lists_visible_comments(client, story):
    make_posted_comment(story, "Visible <one> & only", author=guest("Zoë", email="zoe@example.org"))
    make_posted_comment(story, "Held.", status=Comment.Status.PENDING)
    page = client.get(story.get_absolute_url()).content.decode()
    link = '<link rel="alternate" type="application/rss+xml" title="Comments on this article" '
    assert link + 'href="/articles/harbour-wall/comments/feed/">' in page
    response = client.get("/articles/harbour-wall/comments/feed/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    channel = ElementTree.fromstring(response.content).find("channel")
    items = channel.findall("item")
    assert [item.findtext("title") for item in items] == ["Zoë: Visible <one> & only"]
    assert items[0].findtext("description") == "<p>Visible &lt;one&gt; &amp; only</p>"
    assert "example.org" not in response.content.decode()  # no email in the feed


def test_no_feed_for_a_draft_or_unknown_article(client):
    draft = make_article(status=Article.Status.DRAFT, published_at=None)
    assert client.get(f"/articles/{draft.slug}/comments/feed/").status_code == 404
    assert client.get("/articles/nothing-here/comments/feed/").status_code == 404


def test_search_forgives_a_typo(client):
    make_article(headline="Flood barrier opens", slug="flood-barrier")
    make_article(headline="Council budget", slug="budget")
    if not selectors.has_trigrams():  # .ci/run also runs this file on a server that has it
        pytest.skip("this PostgreSQL has no pg_trgm (the embedded pgserver ships none)")
    response = client.get("/search/", {"q": "barier"})
    assert response.status_code == 200
    assert [a.slug for a in response.context["articles"]] == ["flood-barrier"]
    exact = client.get("/search/", {"q": "barrier"})
    assert [a.slug for a in exact.context["articles"]] == ["flood-barrier"]
    nothing = client.get("/search/", {"q": "zqxwv"})
    assert list(nothing.context["articles"]) == []


def test_imported_articles_are_in_the_sitemap(client, tmp_path):
    from django.core.management import call_command

    from tests.comments.exports import wxr, wxr_item

    path = tmp_path / "w.xml"
    path.write_text(wxr(wxr_item(1, "Imported story", slug="imported-story")))
    call_command("import_wordpress", str(path), stdout=None, verbosity=0)
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    assert "http://testserver/articles/imported-story/" in response.content.decode()
