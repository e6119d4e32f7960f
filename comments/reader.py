"""What of an article page is one reader's own, and what is new on it: the two small requests
the page's script makes around the shared copy (newsroom/pagecache.py).

- ``layer``: the reader's own part of the page (their name and account menu with its sign-out
  token, the comment form and follow box as theirs, their votes, edit and delete on their own
  comments while allowed, their pending comments, flash messages) as JSON, never stored
  anywhere (``Cache-Control: private, no-store``). It renders no thread: a few indexed
  queries.
- ``live``: the article's version and its newest visible comments' ids, with the version as
  ETag: an open page asks every few seconds with ``If-None-Match`` and, while nothing changed,
  gets a 304 from one cache read, without a database query. ``live_new`` then renders the new
  comments, each by the one comment partial, for the script to insert on the reader's request.

Without JavaScript none of this is asked for: a reader with a cookie gets a page rendered for
them instead (the page cache knows by the ``newsroom_js`` cookie the script sets).
"""

from __future__ import annotations

import re

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotModified, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.cache import patch_cache_control
from django.utils.html import escape
from django.utils.http import parse_etags
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from articles.models import Article
from comments import identity, selectors
from comments.models import display_name
from newsroom import pagecache

# Comment ids a layer request may name: a page and a few "load more"s.
MAX_SHOWN_IDS = 600
_IDS = re.compile(r"[0-9]{1,18}")


def _published(**lookup) -> Article:
    try:
        return Article.objects.published().get(**lookup)
    except (Article.DoesNotExist, ValueError, OverflowError):
        raise Http404 from None


_NOTHING = {"messages": [], "votes": {}, "own": {}, "pending": []}


def _private(response: HttpResponse) -> HttpResponse:
    patch_cache_control(response, private=True, no_store=True)
    return response


def _shown_ids(text: str) -> list[int]:
    ids = [int(part) for part in text.split(",")[:MAX_SHOWN_IDS] if _IDS.fullmatch(part)]
    return [pk for pk in ids if pk < 2**63]


@require_GET
def layer(request: HttpRequest, article_id: int) -> HttpResponse:
    """The reader's own part of the article page, as JSON (``?ids=``: the comments shown)."""
    viewer = identity.commenter(request)
    if not viewer.key and not request.COOKIES.get("messages"):
        # Nothing of this browser's own (its cookies went): nothing to look up.
        return _private(JsonResponse({**_NOTHING, "guest": {"name": "", "email": ""}}))
    try:
        article = selectors.article_for_reader(article_id, request.user)
    except (Article.DoesNotExist, ValueError, OverflowError):
        raise Http404 from None
    found = selectors.reader_layer(article, viewer, _shown_ids(request.GET.get("ids", "")))
    # Rendered without the context processors: none is needed, and the menu's is a query.
    context = {"article": article, "viewer": viewer, "user": request.user}

    def actions(node: selectors.Node) -> str:
        node.vote = found.votes.get(node.comment.pk, 0)
        return render_to_string("comments/includes/comment_actions.html", {**context, "node": node})

    data: dict = {
        "messages": [
            {"level": message.tags, "text": str(message)}
            for message in messages.get_messages(request)
        ],
        "votes": {str(pk): value for pk, value in found.votes.items()},
        "own": {str(node.comment.pk): actions(node) for node in found.own},
        "pending": [
            {
                "id": node.comment.pk,
                "parent": node.comment.parent_id,
                "html": render_to_string(
                    "comments/includes/comment.html", {**context, "node": node}
                ),
            }
            for node in found.pending
        ],
    }
    if request.user.is_authenticated:
        following = article.following
        name = escape(display_name(request.user))
        data["user"] = {
            # Rendered without the context processors (none of them is needed, and the site's
            # menu is a query): the sign-out form's token given as {% csrf_token %} expects.
            "nav": render_to_string(
                "includes/account_nav.html",
                {"user": request.user, "request": request, "csrf_token": get_token(request)},
            ),
            "commenting_as": mark_safe(
                _("Commenting as <strong>%(name)s</strong>.") % {"name": name}
            ),
            "follow": render_to_string(
                "comments/includes/follow.html",
                {"article": article, "user": request.user, "following": following},
            ),
        }
    else:
        data["guest"] = identity.remembered_details(request)
    return _private(JsonResponse(data))


@pagecache.version_checked
@require_GET
def live(request: HttpRequest, slug: str) -> HttpResponse:
    """The article's version and newest visible comments' ids; a 304 from the version alone
    while the page's copy (``If-None-Match``) is current (answered by the page cache's
    middleware before the rest runs; here when it did not)."""
    try:
        version = pagecache.article_version(slug)
    except Exception:  # the cache is down: answer from the database
        version = None
    if version and f'"{version}"' in parse_etags(request.headers.get("If-None-Match", "")):
        response = HttpResponseNotModified()
    else:
        article = _published(slug=slug)
        if version is None:
            try:  # the article exists: it may have a version now
                version = pagecache.article_version(slug, create=True)
            except Exception:
                version = None
        response = JsonResponse(
            {"version": version or "", "latest": selectors.latest_visible_ids(article)}
        )
    if version:
        response["ETag"] = f'"{version}"'
    patch_cache_control(response, no_cache=True)
    return response


@require_GET
def live_new(request: HttpRequest, slug: str) -> HttpResponse:
    """Visible comments after ``?since=`` (a comment id), each rendered by the comment
    partial for this reader, for the script to insert."""
    article = _published(slug=slug)
    since = request.GET.get("since", "")
    if not _IDS.fullmatch(since) or int(since) >= 2**63:
        return _private(HttpResponse(status=400))
    viewer = identity.commenter(request)
    nodes = selectors.visible_since(article, int(since), viewer)
    context = {"article": article, "nodes": nodes, "viewer": viewer, "user": request.user}
    return _private(render(request, "comments/includes/new_comments.html", context))
