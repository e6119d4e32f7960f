"""Article pages for anonymous readers, served from the shared cache without rendering.

An anonymous reader's article page is the same bytes for everyone, so it is rendered once,
stored gzipped, with the headers the middleware added, in Django's default cache —
PostgreSQL's ``newsroom_cache`` table, or Redis when ``REDIS_URL`` is set, never one
process's memory — and served from there by ``SharedPageMiddleware``, near the top of the
middleware: a stored page costs one cache read, not a pass through sessions, CSRF,
authentication and the rest.

Each stored page carries the versions it was rendered under: the article's own version, bumped
after every change readers of that article could see (a comment posted, edited, deleted,
moderated or voted on, an editor's pick, the discussion closed or reopened), and a site-wide
version, bumped when an article, section, tag or author is saved (the menu, bylines and "More
on this topic" appear on every article page). A page whose versions are no longer current is
never served. Versions are bumped after the change commits, and read before the page's data
is, so a page rendered from older data is always stored under an older version.

What belongs to one reader never enters the shared copy: only requests without a session,
guest or messages cookie are served from the cache or stored in it (those readers get a page
rendered for them), and a page that would set a cookie is not stored.

The same bumps purge the edge (``newsroom/edge.py``: the article's ``article-<id>`` key, or
``site``) and, with a read replica, first record the primary's WAL position
(``newsroom/dbrouter.py``), so no copy is rendered from a replica that lacks the change.

Every HTML page, shared or not, gets an ETag that leaves out the values rendered anew each
time (``StableETagMiddleware``), so revalidation answers 304 for pages rendered per reader too.
"""

from __future__ import annotations

import gzip
import hashlib
import logging
import re
import secrets
from collections.abc import Callable
from datetime import datetime

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve
from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers
from django.utils.http import quote_etag

from articles.models import Article, Author, Section, Tag
from newsroom import dbrouter, edge
from newsroom.edge import is_shared

logger = logging.getLogger(__name__)

SITE_KEY = "pagecache:site"
# The query parameters that change what an article page shows; others (utm_source, fbclid...)
# share the same copy.
PAGE_PARAMETERS = ("comments", "cpage", "highlight")


def _article_key(slug: str) -> str:
    return f"pagecache:article:{slug}"


def _new_version() -> str:
    return secrets.token_hex(8)


def article_changed(article_id: int, slug: str | None = None) -> None:
    """What readers see on this article's page changed: its cached copies are stale once the
    current transaction commits, here and at the edge (the pages keyed ``article-<id>``: its
    own and the listings that show it)."""

    def bump() -> None:
        name = slug or Article.objects.filter(pk=article_id).values_list("slug", flat=True).first()
        dbrouter.note_change()  # before the new version: see dbrouter's docstring
        if name:
            cache.set(_article_key(name), _new_version(), timeout=None)
        edge.purge([edge.article_key(article_id)])

    transaction.on_commit(bump)


def site_changed() -> None:
    """Something every article page shows changed (menu, bylines, related articles, or an
    article's own address): every page keyed ``site`` is stale once this commits."""

    def bump() -> None:
        dbrouter.note_change()
        cache.set(SITE_KEY, _new_version(), timeout=None)
        edge.purge([edge.SITE])

    transaction.on_commit(bump)


def _page_key(request: HttpRequest, slug: str) -> str:
    query = "&".join(f"{name}={request.GET.get(name, '')}" for name in PAGE_PARAMETERS)
    language = translation.get_language_from_request(request)
    where = f"{request.scheme}://{request.get_host()}|{slug}|{query}|{language}"
    # "page3": stored pages carry their headers and surrogate keys since 2026-12-06; a key of
    # its own means a page stored by an older release (without them) is never read by this one.
    return "pagecache:page3:" + hashlib.sha256(where.encode()).hexdigest()


def _current_versions(found: dict, article_key: str) -> tuple[str, str]:
    """The site's and the article's versions, creating either that is missing (first use,
    or evicted: a new random version can never match an older stored page)."""
    site, article = found.get(SITE_KEY), found.get(article_key)
    if site is None or article is None:
        cache.add(SITE_KEY, _new_version(), timeout=None)
        cache.add(article_key, _new_version(), timeout=None)
        again = cache.get_many([SITE_KEY, article_key])
        site, article = again.get(SITE_KEY), again.get(article_key)
    return site, article


def _timeout(until: datetime | None) -> int:
    timeout = settings.PAGE_CACHE_SECONDS
    if until is not None:  # e.g. the discussion closes by itself then
        timeout = min(timeout, int((until - timezone.now()).total_seconds()))
    return timeout


# Headers not replayed from a stored page: set anew for each answer, or by the middleware
# outside this one (SecurityMiddleware's, GZip's, ConditionalGet's).
_NOT_STORED = {"content-length", "content-encoding", "etag", "set-cookie", "vary", "cache-control"}


def _stored(response: HttpResponse, versions: tuple[str, str], until: datetime | None) -> dict:
    body = response.content
    # Only the compressed bytes are kept (every browser takes them): a small value is a
    # cheaper read for every reader; the rare client without gzip gets them decompressed.
    return {
        "versions": versions,
        "until": until,  # when the page changes by itself: bounds the edge's copy too
        # What the middleware inside this one added (the security policy, framing, language)
        # is replayed with the page, since a stored page skips them.
        "headers": [(k, v) for k, v in response.items() if k.lower() not in _NOT_STORED],
        "vary": response.get("Vary", ""),
        "etag": f'W/"{hashlib.sha256(body).hexdigest()[:32]}"',
        "gzipped": gzip.compress(body, compresslevel=6, mtime=0),
    }


def _from_stored(request: HttpRequest, entry: dict) -> HttpResponse:
    accepts_gzip = "gzip" in request.headers.get("Accept-Encoding", "").lower()
    body = entry["gzipped"] if accepts_gzip else gzip.decompress(entry["gzipped"])
    response = HttpResponse(body)
    for name, value in entry["headers"]:
        response[name] = value
    if accepts_gzip:
        response["Content-Encoding"] = "gzip"
    response["ETag"] = entry["etag"]
    response["Content-Length"] = str(len(body))  # CommonMiddleware, which sets it, is skipped
    # Browsers revalidate (If-None-Match, answered 304 by ConditionalGetMiddleware); an edge
    # keeps it (newsroom/edge.py, the surrogate keys are among the stored headers). The copy
    # differs with the encoding, and readers with cookies get a page of their own.
    response["Cache-Control"] = edge.cache_control(entry.get("until"))
    if entry["vary"]:
        response["Vary"] = entry["vary"]
    patch_vary_headers(response, ("Accept-Encoding", "Cookie"))
    response.shared_copy = True
    return response


# Hidden inputs whose value changes on every render and nothing else: the comment form's signed
# timestamp (comments/forms.py) and Django's masked CSRF token.
PER_RENDER_VALUES = re.compile(rb'(name="(?:ts|csrfmiddlewaretoken)" value=")[^"]*"')


def page_etag(content: bytes, csrf_secret: str = "") -> str:
    """The ETag of an HTML page: its content without ``PER_RENDER_VALUES``, and the CSRF
    secret its tokens were masked from."""
    digest = hashlib.sha256(PER_RENDER_VALUES.sub(rb'\1"', content))
    digest.update(csrf_secret.encode())
    return quote_etag(digest.hexdigest()[:32])


class StableETagMiddleware:
    """Give an HTML page the ETag ``page_etag`` gives it, so a reader's reload gets its 304
    (from ``ConditionalGetMiddleware``, outside this one) even a second later.

    Two renders that differ only in ``PER_RENDER_VALUES`` are the same page to the reader: a
    304 lets the browser keep an older timestamp, which the form still accepts for hours (and
    answers, text kept, when too old), and an older masked CSRF token, which stays valid until
    the CSRF secret changes (at sign-in): the secret goes into the hash, so then the ETag does."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            request.method in ("GET", "HEAD")
            and response.status_code == 200
            and not response.streaming
            and not response.has_header("ETag")
            and response.get("Content-Type", "").startswith("text/html")
        ):
            response["ETag"] = page_etag(response.content, request.META.get("CSRF_COOKIE", ""))
        return response


def shared_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Mark ``view(request, slug)`` as an article page that ``SharedPageMiddleware`` may answer
    from the shared copy. The view marks a response that may be shared with
    ``response.shareable = True`` and, if the page changes by itself at some time (comments
    closing), sets ``response.shared_until``."""
    view.shared_page = True
    return view


class SharedPageMiddleware:
    """Answer anonymous readers' article pages from the shared copy before the rest of the
    middleware runs (sessions, CSRF, authentication, messages, the security policy): a stored
    page is one cache read. Sits inside GZip and ConditionalGet, which leave its gzipped bytes
    alone and answer If-None-Match with a 304."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        slug = _shared_slug(request)
        if slug is None:
            return self.get_response(request)
        page_key, article_key = _page_key(request, slug), _article_key(slug)
        try:
            found = cache.get_many([SITE_KEY, article_key, page_key])
            # Read before the page's data: a page rendered from older data is stored under an
            # older version.
            versions = _current_versions(found, article_key)
        except Exception:  # the cache is down: render (a lost database then gets its 503)
            logger.warning("Page cache unavailable; rendering %s", request.path, exc_info=True)
            return self.get_response(request)
        entry = found.get(page_key)
        if entry is not None and entry["versions"] == versions:
            return _from_stored(request, entry)
        response = self.get_response(request)
        if not getattr(response, "shareable", False) or response.status_code != 200:
            return response
        if response.cookies:  # something made it one reader's page
            return response
        until = getattr(response, "shared_until", None)
        entry = _stored(response, versions, until)
        timeout = _timeout(until)
        if timeout > 0:
            try:
                cache.set(page_key, entry, timeout=timeout)
            except Exception:  # not stored this time; this reader still gets the page
                logger.warning("Page cache unavailable: %s not stored", request.path, exc_info=True)
        return _from_stored(request, entry)


def _shared_slug(request: HttpRequest) -> str | None:
    """The article's slug when this request may get (and its answer become) the shared copy."""
    if settings.PAGE_CACHE_SECONDS <= 0 or not is_shared(request):
        return None
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return None
    if not getattr(match.func, "shared_page", False):
        return None
    return match.kwargs.get("slug")


def _site_changed(**kwargs) -> None:
    site_changed()


def connect_signals() -> None:
    """Editors' changes to articles, sections, tags and authors make every page stale."""
    for model in (Article, Section, Tag, Author):
        post_save.connect(_site_changed, sender=model, dispatch_uid=f"pagecache-{model.__name__}")
        post_delete.connect(
            _site_changed, sender=model, dispatch_uid=f"pagecache-del-{model.__name__}"
        )
    for through in (Article.tags.through, Article.authors.through):
        m2m_changed.connect(_site_changed, sender=through, dispatch_uid=f"pagecache-{through}")
