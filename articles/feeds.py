from __future__ import annotations

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from articles.models import Article


class LatestArticlesFeed(Feed):
    title = settings.SITE_NAME
    link = reverse_lazy("articles:home")
    description = _("The latest stories.")

    def items(self):
        return Article.objects.published().for_listing()[:30]

    def item_title(self, item: Article) -> str:
        return item.headline

    def item_description(self, item: Article) -> str:
        return item.standfirst

    def item_pubdate(self, item: Article):
        return item.published_at

    def item_author_name(self, item: Article) -> str:
        return ", ".join(a.name for a in item.authors.all())
