"""The queries reader pages need, in one place."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from django.contrib.auth.models import AnonymousUser, User
from django.contrib.postgres.search import (
    SearchQuery,
    SearchRank,
    SearchVector,
    TrigramWordSimilarity,
)
from django.db import connection
from django.db.models import F
from django.db.models.functions import Greatest

from articles.models import Article, ArticleQuerySet, Section

LATEST_COUNT = 8
PER_SECTION_COUNT = 3


@dataclass
class FrontPage:
    lead: Article | None
    latest: list[Article]
    sections: list[tuple[Section, list[Article]]]


def front_page() -> FrontPage:
    published = Article.objects.published().for_listing()
    lead = published.filter(featured=True).first() or published.first()
    rest = published.exclude(pk=lead.pk) if lead else published
    latest = list(rest[:LATEST_COUNT])
    shown = {a.pk for a in latest} | ({lead.pk} if lead else set())
    sections = []
    for section in Section.objects.all():
        articles = list(rest.filter(section=section).exclude(pk__in=shown)[:PER_SECTION_COUNT])
        if articles:
            sections.append((section, articles))
    return FrontPage(lead=lead, latest=latest, sections=sections)


def visible_articles(user: User | AnonymousUser) -> ArticleQuerySet:
    """Readers see published articles; editors may also preview drafts and scheduled ones."""
    if user.has_perm("articles.preview_article"):
        return Article.objects.all()
    return Article.objects.published()


def article_for_page(slug: str, user: User | AnonymousUser) -> Article:
    return (
        visible_articles(user)
        .select_related("section")
        .prefetch_related("authors", "tags")
        .get(slug=slug)
    )


def search(query: str) -> ArticleQuerySet:
    """Published articles matching ``query`` (web-search syntax), best matches first. When the
    words match nothing (a typo: "barier"), articles whose words are most like them instead,
    where the database has pg_trgm."""
    vector = (
        SearchVector("headline", weight="A")
        + SearchVector("standfirst", weight="B")
        + SearchVector("body", weight="C")
    )
    terms = SearchQuery(query, search_type="websearch")
    found = (
        Article.objects.published()
        .annotate(rank=SearchRank(vector, terms))
        .filter(rank__gt=0)
        .order_by(F("rank").desc(), "-published_at")
        .for_listing()
    )
    if found.exists() or not has_trigrams():
        return found
    return similar(query)


# How alike (pg_trgm's word similarity, 0 to 1) a query and some word of an article must be
# for a typo to find it: "barier" and "barrier" share 6 of the query's 7 trigrams (0.86).
SIMILARITY = 0.5


def similar(query: str) -> ArticleQuerySet:
    """Published articles with words most like ``query``'s, best first (needs pg_trgm)."""
    alike = Greatest(
        TrigramWordSimilarity(query, "headline"),
        TrigramWordSimilarity(query, "standfirst"),
        TrigramWordSimilarity(query, "body"),
    )
    return (
        Article.objects.published()
        .annotate(rank=alike)
        .filter(rank__gte=SIMILARITY)
        .order_by(F("rank").desc(), "-published_at")
        .for_listing()
    )


@cache
def _extension_installed(database: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
        return cursor.fetchone() is not None


def has_trigrams() -> bool:
    """Whether pg_trgm is installed (migration 0006 adds it where the server ships it)."""
    return _extension_installed(connection.settings_dict["NAME"])
