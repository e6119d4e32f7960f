from datetime import timedelta

import pytest
from django.utils import timezone

from articles.models import Article
from tests.helpers import make_article, make_tag

pytestmark = pytest.mark.django_db


def test_published_lists_only_articles_whose_time_has_passed():
    live = make_article()
    make_article(status=Article.Status.DRAFT)
    scheduled = make_article(published_at=timezone.now() + timedelta(hours=2))
    assert list(Article.objects.published()) == [live]
    assert scheduled.state == "Scheduled"


def test_scheduled_article_appears_by_itself_when_its_time_comes():
    scheduled = make_article(published_at=timezone.now() + timedelta(hours=2))
    later = timezone.now() + timedelta(hours=3)
    assert scheduled not in Article.objects.published()
    assert scheduled in Article.objects.published(now=later)


def test_publishing_without_a_time_publishes_now():
    article = make_article(published_at=None)
    assert article.published_at is not None
    assert article.is_published()


def test_draft_state_and_visibility():
    draft = make_article(status=Article.Status.DRAFT)
    assert draft.state == "Draft"
    assert not draft.is_published()


def test_comments_close_after_the_configured_number_of_days():
    article = make_article(
        published_at=timezone.now() - timedelta(days=3), comments_close_after_days=2
    )
    assert not article.accepts_comments()
    article.comments_close_after_days = 5
    assert article.accepts_comments()
    article.comments_open = False
    assert not article.accepts_comments()


def test_body_is_formatted_and_sanitised():
    article = make_article(
        body="## Heading\n\nHello **world** and [a link](https://example.org).\n\n"
        "<script>alert(1)</script>\n\n[bad](javascript:alert(1)) <img src=x onerror=alert(1)>"
    )
    html = article.body_html
    assert "<h2>Heading</h2>" in html
    assert "<strong>world</strong>" in html
    assert 'href="https://example.org"' in html
    assert "<script" not in html
    assert "javascript:" not in html
    assert "onerror" not in html


def test_lead_image_gets_renditions_for_phones_and_desktops():
    article = make_article(image=True)
    widths = [size["width"] for size in article.lead_image_renditions["sizes"]]
    assert widths == [480, 960, 1200]  # never upscaled past the original's 1200 pixels
    assert "480w" in article.image_srcset
    assert article.card_image_url.endswith("-480w.jpg")


def test_related_articles_put_editor_picks_first_then_shared_tags():
    tag = make_tag()
    article = make_article(tags=[tag])
    pick = make_article()
    sharing = make_article(tags=[tag])
    make_article()  # unrelated: other section, no shared tag
    make_article(tags=[tag], status=Article.Status.DRAFT)  # hidden from readers
    article.related_picks.add(pick)
    assert Article.objects.related_to(article) == [pick, sharing]


def test_saving_a_stale_article_keeps_the_comment_count():
    article = make_article()
    stale = Article.objects.get(pk=article.pk)
    Article.objects.filter(pk=article.pk).update(comment_count=7)  # comments were posted
    stale.headline = "Corrected headline"
    stale.save()
    article.refresh_from_db()
    assert (article.headline, article.comment_count) == ("Corrected headline", 7)
