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
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.cache import patch_cache_control
from django.utils.http import parse_etags
from django.views.decorators.http import require_GET

from articles.models import Article
from comments import identity, selectors
from newsroom import csrf, pagecache, signed_in

_ID = re.compile(r"[0-9]{1,18}")


def _published(**lookup) -> Article:
    try:
        return Article.objects.published().get(**lookup)
    except (Article.DoesNotExist, ValueError, OverflowError):
        raise Http404 from None


_NOTHING = {"messages": [], "votes": {}, "own": {}, "pending": []}


def _private(response: HttpResponse) -> HttpResponse:
    # A new response has no Cache-Control yet: set, not patched (patching parses it first).
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
def layer(request: HttpRequest, article_id: int) -> HttpResponse:
    """The reader's own part of the article page, as JSON (``?ids=``: the comments shown).

    Data, not markup: the shared copy carries the markup (``<template>`` elements,
    comments/includes/reader_templates.html) that the page's script fills in. Only comments
    of the reader's that the shared copy lacks (pending, removed) come rendered.

    One query for a signed-in reader (their session, their account and the layer, read by
    one statement keyed by the session's key: newsroom/signed_in.py, newsroom/sessions.py,
    selectors.reader_layer), prepared statements; one for a guest; none for a browser
    without a cookie of its own."""
    if article_id >= 2**63:
        raise Http404
    shown = selectors.shown_ids(request.GET.get("ids", ""))
    # A signed-in reader's session, account and layer come in one statement; the layer's
    # rows count only once the session is verified as that account's.
    _user, rows = signed_in.request_user_with(
        request,
        lambda session_key: selectors.reader_layer_statement(
            article_id, session_key, shown, by_session=True
        ),
    )
    viewer = identity.reader(request)
    if not viewer.key and not request.COOKIES.get("messages"):
        # Nothing of this browser's own (its cookies went): nothing to look up.
        return _private(JsonResponse({**_NOTHING, "guest": {"name": "", "email": ""}}))
    if rows is not None and viewer.user is not None:
        found = selectors.reader_layer_rows(rows, viewer)
    else:
        found = selectors.reader_layer(article_id, viewer, shown)
    if found is None:
        raise Http404
    data: dict = {
        "messages": [
            {"level": message.tags, "text": str(message)}
            for message in messages.get_messages(request)
        ],
        "votes": {str(pk): value for pk, value in found.votes.items()},
        "own": {str(pk): {"edit": editable} for pk, editable in found.own.items()},
        "pending": _pending(request, article_id, viewer, found.pending_ids),
    }
    if request.user.is_authenticated:
        data["user"] = {
            "username": request.user.get_username(),
            "name": viewer.name,  # display_name, as the comments show it
            "staff": request.user.is_staff,
            # For the sign-out form in the account menu.
            "token": csrf.token(request),
            "following": found.following,
        }
    else:
        data["guest"] = identity.remembered_details(request)
    return _private(JsonResponse(data))


def _pending(request: HttpRequest, article_id: int, viewer, ids: list[int]) -> list[dict]:
    """The reader's comments only they see, each rendered by the comment partial (rare: no
    query unless there are some)."""
    if not ids:
        return []
    article = _published(pk=article_id)
    context = {"article": article, "viewer": viewer, "user": request.user}
    return [
        {
            "id": node.comment.pk,
            "parent": node.comment.parent_id,
            "html": render_to_string("comments/includes/comment.html", {**context, "node": node}),
        }
        for node in selectors.own_hidden_nodes(article_id, viewer, ids)
    ]


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
    if not _ID.fullmatch(since) or int(since) >= 2**63:
        return _private(HttpResponse(status=400))
    viewer = identity.commenter(request)
    nodes = selectors.visible_since(article, int(since), viewer)
    context = {"article": article, "nodes": nodes, "viewer": viewer, "user": request.user}
    return _private(render(request, "comments/includes/new_comments.html", context))
