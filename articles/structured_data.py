"""What search engines read about an article: schema.org ``NewsArticle`` as JSON-LD.

The article page is cached and shared between anonymous readers (newsroom/pagecache.py), so
nothing here may depend on who is reading; and the JSON sits inside a ``<script>`` element,
so ``<``, ``>`` and ``&`` are written as ``\\u003C``-style escapes: a headline or a comment
containing ``</script>`` cannot end the element. A ``type="application/ld+json"`` script is
data, never run, so the strict Content Security Policy (script-src 'self') lets it be.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from django.conf import settings
from django.templatetags.static import static
from django.utils.html import format_html
from django.utils.safestring import SafeString

from articles.models import Article

_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def news_article(article: Article, absolute: Callable[[str], str]) -> dict:
    """The article as a schema.org ``NewsArticle``; ``absolute`` turns a path into a URL."""
    url = absolute(article.get_absolute_url())
    data: dict = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "url": url,
        "headline": article.headline[:110],
        "description": article.standfirst,
        "datePublished": article.published_at.isoformat() if article.published_at else None,
        "dateModified": (article.updated_at or article.modified_at or article.published_at),
        "author": [
            {"@type": "Person", "name": author.name, "url": absolute(author.get_absolute_url())}
            for author in article.authors.all()
        ],
        "publisher": {
            "@type": "NewsMediaOrganization",
            "name": settings.SITE_NAME,
            "url": absolute("/"),
            "logo": {"@type": "ImageObject", "url": absolute(static("img/favicon.svg"))},
        },
        "articleSection": article.section.name,
        "keywords": [tag.name for tag in article.tags.all()],
    }
    if data["dateModified"] is not None:
        data["dateModified"] = data["dateModified"].isoformat()
    if article.lead_image:
        data["image"] = [absolute(article.image_url())]
    return {key: value for key, value in data.items() if value not in (None, [])}


def json_ld(data: dict) -> SafeString:
    """``data`` in a ``<script type="application/ld+json">`` element, safe inside HTML."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":")).translate(_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', SafeString(text))
