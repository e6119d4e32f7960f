"""An RSS feed of one article's visible comments, newest first (linked from its page)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _

from articles.models import Article
from comments import formatting
from comments.models import Comment

FEED_LENGTH = 50


class ArticleCommentsFeed(Feed):
    def get_object(self, request: HttpRequest, slug: str) -> Article:
        article = Article.objects.published().filter(slug=slug).first()
        if article is None:
            raise Http404
        return article

    def title(self, obj: Article) -> str:
        return _("Comments on “%(headline)s” — %(site)s") % {
            "headline": obj.headline,
            "site": settings.SITE_NAME,
        }

    def link(self, obj: Article) -> str:
        return obj.get_absolute_url()

    def description(self, obj: Article) -> str:
        return _("Comments by readers on “%s”, newest first.") % obj.headline

    def items(self, obj: Article):
        return (
            Comment.objects.visible()
            .filter(article=obj)
            .select_related("user")
            .order_by("-created_at", "-pk")[:FEED_LENGTH]
        )

    def item_title(self, item: Comment) -> str:
        return _("%(name)s: %(excerpt)s") % {
            "name": item.author_name,
            "excerpt": " ".join(formatting.normalise(item.body).split())[:80],
        }

    def item_description(self, item: Comment) -> str:
        return formatting.render(item.body)

    def item_link(self, item: Comment) -> str:
        return item.get_absolute_url()

    def item_pubdate(self, item: Comment):
        return item.created_at

    def item_updateddate(self, item: Comment):
        return item.edited_at

    def item_author_name(self, item: Comment) -> str:
        return item.author_name
