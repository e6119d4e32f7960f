"""The comment section, as the article page asks for it: ``{% comments_section article %}``."""

from __future__ import annotations

from types import SimpleNamespace

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.timesince import timesince
from django.utils.translation import gettext as _

from articles import structured_data
from comments import formatting, identity, selectors, services
from comments.forms import CommentForm
from comments.links import comment_url, comment_url_pattern
from comments.models import display_name as _display_name
from newsroom import pagecache

register = template.Library()
JSON_LD_COMMENTS = 3  # first comments given to search engines with the article

# Where the reader's own values go in the shared copy's templates for the page's script
# (comments/includes/reader_templates.html), and a signed-in reader as the follow box sees one.
READER_SLOTS = {
    "username": mark_safe('<span data-reader-fill="username"></span>'),
    "name": mark_safe('<span data-reader-fill="name"></span>'),
    "up": mark_safe('<span data-reader-fill="up"></span>'),
    "down": mark_safe('<span data-reader-fill="down"></span>'),
    "member": SimpleNamespace(is_authenticated=True),
}


@register.inclusion_tag("comments/includes/section.html", takes_context=True)
def comments_section(context, article) -> dict:
    request = context["request"]
    viewer = identity.commenter(request)
    threads = selectors.thread_page(
        article,
        sort=request.GET.get("comments"),
        page=request.GET.get("cpage"),
        viewer=viewer,
    )
    form = CommentForm(
        initial=identity.remembered_details(request), article=article, user=request.user
    )
    # What the page shows, for the page cache to key (or redirect) by.
    pagecache.shown(request, "comments", threads.sort)
    pagecache.shown(request, "cpage", threads.page.number)
    return {
        "request": request,
        "user": request.user,
        "article": article,
        "threads": threads,
        "viewer": viewer,
        "form": form,
        "sorts": [(key, sort.label) for key, sort in selectors.SORTS.items()],
        "highlight": request.GET.get("highlight", ""),
        "perms": context.get("perms"),
        # Rendered without any reader's state (the shared copy): the script asks for the
        # reader's own layer (comments/reader.py).
        "shared_variant": not pagecache.holds_private_cookie(request),
        "reader_slots": READER_SLOTS,
        "live_version": pagecache.page_version(request),
        "live_since": next(iter(selectors.latest_visible_ids(article, limit=1)), 0),
    }


@register.simple_tag
def comments_feed_link(article) -> SafeString:
    """For the article page's ``<head>``: its comments' RSS feed."""
    return format_html(
        '<link rel="alternate" type="application/rss+xml" title="{}" href="{}">',
        _("Comments on this article"),
        reverse("comments:feed", args=[article.slug]),
    )


@register.simple_tag(takes_context=True)
def article_json_ld(context, article) -> SafeString:
    """The article as schema.org ``NewsArticle`` JSON-LD with its comment count and first
    comments, for search engines. The same for every reader (the page is shared); it closes
    the page, after what readers see."""
    absolute = context["request"].build_absolute_uri
    data = structured_data.news_article(article, absolute)
    data["commentCount"] = article.comment_count
    data["comment"] = [
        {
            "@type": "Comment",
            "author": {"@type": "Person", "name": comment.author_name},
            "dateCreated": comment.created_at.isoformat(),
            "text": comment.body,
            "url": absolute(comment.get_absolute_url()),
        }
        for comment in selectors.first_comments(article, JSON_LD_COMMENTS)
    ]
    return structured_data.json_ld(data)


@register.filter
def display_name(user) -> str:
    """The name an account is shown under (``comments.models.display_name``)."""
    return _display_name(user)


@register.filter(name="comment_url_pattern")
def comment_url_pattern_filter(name: str) -> str:
    """A comment URL with ``{id}`` for the id, for the page's script to fill in."""
    return comment_url_pattern(name)


@register.filter(name="comment_url")
def comment_url_filter(pk: int, name: str) -> str:
    """``{{ c.pk|comment_url:"comments:vote" }}``: ``{% url %}`` for a comment's pages, without
    resolving the pattern again for every comment on the page."""
    return comment_url(name, pk)


@register.filter
def comment_html(body: str) -> SafeString:
    return formatting.render(body)


@register.simple_tag
def can_edit(comment, viewer) -> bool:
    return services.can_edit(comment, viewer)


@register.filter
def ago(value) -> str:
    """“3 hours” rather than “3 hours, 12 minutes”: the exact time is in the title."""
    return timesince(value, depth=1)


@register.filter
def owns(viewer, comment) -> bool:
    return bool(viewer) and viewer.owns(comment)


@register.simple_tag(takes_context=True)
def comment_badges(context, comment) -> list[str]:
    """Badges for the article's own author and for staff."""
    badges = []
    article = context.get("article")
    if comment.user_id and article is not None:
        if comment.user_id in selectors.article_author_user_ids(article):
            badges.append("author")
        if comment.user.is_staff:
            badges.append("staff")
    return badges
