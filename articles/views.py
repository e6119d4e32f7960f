from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.generic import ListView

from articles import selectors
from articles.models import Article, Author, Section, Tag
from newsroom import edge
from newsroom.pagecache import shared_page


def _keys(articles: Iterable[Article]) -> list[str]:
    """The surrogate keys of a page that shows these articles (their comment counts too)."""
    return [edge.article_key(article.pk) for article in articles]


def home(request: HttpRequest) -> HttpResponse:
    front = selectors.front_page()
    response = render(request, "articles/home.html", {"front": front})
    shown = [front.lead] if front.lead else []
    shown += front.latest + [article for _, articles in front.sections for article in articles]
    edge.share(response, _keys(shown))
    return response


@shared_page
def article_detail(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        article = selectors.article_for_page(slug, request.user)
    except Article.DoesNotExist:
        raise Http404 from None
    context = {
        "article": article,
        "related": Article.objects.related_to(article),
        "is_preview": not article.is_visible(),
    }
    response = render(request, "articles/article_detail.html", context)
    if not context["is_preview"]:
        # A published article's page is the same for every anonymous reader: it may be shared
        # (newsroom/pagecache.py, and the edge), until its discussion closes by itself.
        closing = article.comments_closing_at()
        until = closing if article.accepts_comments() else None
        edge.share(response, _keys([article, *context["related"]]), until)
    return response


class ArticleListView(ListView):
    """A paginated list of published articles; bad page numbers show the nearest page."""

    template_name = "articles/article_list.html"

    def get_paginate_by(self, queryset: QuerySet) -> int:
        return settings.ARTICLES_PER_PAGE

    context_object_name = "articles"
    shared = True  # the same page for every anonymous reader (the edge may keep it)

    def render_to_response(self, context: dict[str, Any], **kwargs: Any) -> HttpResponse:
        response = super().render_to_response(context, **kwargs)
        if self.shared:
            edge.share(response, _keys(context["articles"]))
        return response

    def paginate_queryset(
        self, queryset: QuerySet, page_size: int
    ) -> tuple[Paginator, Page, list, bool]:
        paginator = self.get_paginator(queryset, page_size)
        page = paginator.get_page(self.request.GET.get("page"))
        return paginator, page, page.object_list, page.has_other_pages()


class SectionView(ArticleListView):
    def get_queryset(self) -> QuerySet[Article]:
        self.section = get_object_or_404(Section, slug=self.kwargs["slug"])
        return Article.objects.published().filter(section=self.section).for_listing()

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(
            title=self.section.name, intro=self.section.description, **kwargs
        )


class TagView(ArticleListView):
    def get_queryset(self) -> QuerySet[Article]:
        self.tag = get_object_or_404(Tag, slug=self.kwargs["slug"])
        return Article.objects.published().filter(tags=self.tag).for_listing()

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(title=self.tag.name, kicker="tag", **kwargs)


class AuthorView(ArticleListView):
    def get_queryset(self) -> QuerySet[Article]:
        self.author = get_object_or_404(Author, slug=self.kwargs["slug"])
        return Article.objects.published().filter(authors=self.author).for_listing()

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(title=self.author.name, intro=self.author.bio, **kwargs)


class SearchView(ArticleListView):
    template_name = "articles/search.html"
    shared = False  # any query at all: not worth an edge's room

    def get_queryset(self) -> QuerySet[Article]:
        self.query = self.request.GET.get("q", "").replace("\x00", "").strip()[:200]
        if not self.query:
            return Article.objects.none()
        return selectors.search(self.query)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(query=self.query, **kwargs)
