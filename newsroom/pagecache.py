"""Article pages served from one shared copy, to every reader, without rendering.

An article page is the same bytes for everyone, so it is rendered once, stored gzipped, with
the headers the middleware added, in Django's default cache — PostgreSQL's ``newsroom_cache``
table, or Redis when ``REDIS_URL`` is set, never one process's memory — and served from there
by ``SharedPageMiddleware``, near the top of the middleware: a stored page costs one cache
read, not a pass through sessions, CSRF, authentication and the rest.

Each stored page carries the versions it was rendered under: the article's own version, bumped
after every change readers of that article could see (a comment posted, edited, deleted,
moderated or voted on, an editor's pick, the discussion closed or reopened), and a site-wide
version, bumped when an article, section, tag or author is saved (the menu, bylines and "More
on this topic" appear on every article page). A page whose versions are no longer current is
never served. Versions are bumped after the change commits, and read before the page's data
is, so a page rendered from older data is always stored under an older version. Version keys
never expire and culling spares them (``newsroom.cache``): no flood of pages pushes them out.

Who gets it: a reader without a session, guest or messages cookie; and a reader with one whose
browser runs the page's script (it sets the ``newsroom_js`` cookie): what is theirs (their
name, votes, edit links, pending comments, messages, tokens) then comes from one small private
request that the script layers on (``comments.reader``). A reader with such a cookie and
without the script gets a page rendered for them, marked ``Cache-Control: private``. The shared
copy is always rendered as for a reader without cookies, so nothing of one reader enters it.

The copy is keyed by the normalised values of the query parameters that change the page, which
the apps register (``register``); nothing else of the address reaches the rendering (``utm_*``,
``next``...: the view sees only the key's parameters), and a value the page does not show (a
page number past the last) is answered with a redirect to the one it shows, not stored. HEAD
requests never store a copy.

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
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseNotModified,
    HttpResponseRedirect,
    QueryDict,
)
from django.urls import Resolver404, ResolverMatch, resolve
from django.utils import timezone, translation
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.http import parse_etags, quote_etag, urlencode

from articles.models import Article, Author, Section, Tag
from newsroom import dbrouter, edge
from newsroom.cache import PROTECTED_PREFIX
from newsroom.edge import holds_private_cookie, private_cookies

logger = logging.getLogger(__name__)

SITE_KEY = f"{PROTECTED_PREFIX}site"
# Set by the page's script: this browser runs it, so a reader holding a private cookie can be
# given the shared copy and their own layer on top.
JS_COOKIE = "newsroom_js"
# Set by the site, readable by the script: this browser holds a private cookie, so the script
# asks for the reader's own layer (readers without one never make that request).
READER_COOKIE = "newsroom_reader"
READER_COOKIE_MAX_AGE = 60 * 60 * 24 * 365

# What the apps register (``register``, from their AppConfig.ready): the query parameters that
# change an article page, each with the function that gives its canonical value ("" for the
# default). The cookies that make a page one reader's own are the edge's to know (edge.py).
_parameters: dict[str, Callable[[str | None], str]] = {}


def register(
    *,
    private_cookies: Iterable[str] = (),
    parameters: Mapping[str, Callable[[str | None], str]] | None = None,
) -> None:
    """An app tells the page cache about its part of the page: cookies that hold one reader's
    state (such a reader is never served the copy without the script to add their state, and
    the edge never keeps a page for them), and the query parameters that change what an
    article page shows, with the function that maps any value a client sends to its canonical
    one ("" for the default, left out of the key)."""
    edge.register_private_cookies(private_cookies)
    _parameters.update(parameters or {})


def _article_key(slug: str) -> str:
    return f"{PROTECTED_PREFIX}article:{slug}"


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


def article_version(slug: str, *, create: bool = False) -> str | None:
    """The article's current version (one cache read; no database query with Redis): what the
    live-update check compares an open page's with. None when it has none yet; ``create``
    gives it one (only for an article known to exist: version keys are never culled)."""
    version = cache.get(_article_key(slug))
    if version is None and create:
        cache.add(_article_key(slug), _new_version(), timeout=None)
        version = cache.get(_article_key(slug))
    return version


def page_version(request: HttpRequest) -> str:
    """The article version the page being rendered was read under ("" outside the cache)."""
    versions = getattr(request, "page_versions", None)
    return versions[1] if versions else ""


def gets_shared_copy(request: HttpRequest) -> bool:
    """True when the request may be answered with (and its answer stored as) the shared copy:
    a GET or HEAD from a reader without private cookies, or with them and the page's script.
    (The edge keeps only the first kind: ``edge.is_shared``.)"""
    if request.method not in ("GET", "HEAD"):
        return False
    return JS_COOKIE in request.COOKIES or not holds_private_cookie(request)


def canonical_query(request: HttpRequest) -> list[tuple[str, str]]:
    """The registered parameters' canonical values, without defaults, in a fixed order: all of
    the address that may change the shared copy."""
    query = []
    for name in sorted(_parameters):
        value = _parameters[name](request.GET.get(name))
        if value:
            query.append((name, value))
    return query


def shown(request: HttpRequest, name: str, value: str | int | None) -> None:
    """The page being rendered shows ``value`` for parameter ``name`` (say, the last page when
    asked for one past it): when that is not what the key says, the middleware redirects to
    the address of what is shown instead of storing the page under another key."""
    normalise = _parameters.get(name)
    if normalise is not None:
        request.shown_parameters = {
            **getattr(request, "shown_parameters", {}),
            name: normalise(str(value)),
        }


def _page_key(request: HttpRequest, slug: str, query: list[tuple[str, str]]) -> str:
    language = translation.get_language_from_request(request)
    where = f"{request.scheme}://{request.get_host()}|{slug}|{urlencode(query)}|{language}"
    # "page3": keyed by canonical parameters since 2026-12-06; a key of its own means a page
    # stored by an older release is never read by this one.
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
    """Answer article pages from the shared copy before the rest of the middleware runs
    (sessions, CSRF, authentication, messages, the security policy): a stored page is one
    cache read. Sits inside GZip and ConditionalGet, which leave its gzipped bytes alone and
    answer If-None-Match with a 304. Also keeps ``READER_COOKIE`` in step with the private
    cookies on every answer, and marks pages rendered for one reader private."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        match = _resolve(request)
        if match is not None and getattr(match.func, "version_checked", False):
            unchanged = _not_modified(request, match.kwargs.get("slug", ""))
            if unchanged is not None:
                return unchanged
        slug = _article_slug(match)
        if slug is None:
            response = self.get_response(request)
        elif not gets_shared_copy(request):
            response = self._for_one_reader(request, slug)
        else:
            response = self._shared(request, slug)
        _mark_reader(request, response)
        return response

    def _for_one_reader(self, request: HttpRequest, slug: str) -> HttpResponse:
        found = {}
        try:  # the version goes into the page, for the live-update check
            found = cache.get_many([SITE_KEY, _article_key(slug)])
            request.page_versions = _current_versions(found, _article_key(slug))
        except Exception as error:
            _unavailable("no version for %s", request.path, error)
        response = self.get_response(request)
        _forget_made_for_nothing(slug, found, response)
        return response

    def _shared(self, request: HttpRequest, slug: str) -> HttpResponse:
        query = canonical_query(request)
        page_key, article_key = _page_key(request, slug, query), _article_key(slug)
        try:
            found = cache.get_many([SITE_KEY, article_key, page_key])
            # Read before the page's data: a page rendered from older data is stored under an
            # older version.
            versions = _current_versions(found, article_key)
        except Exception as error:  # the cache is down: render (a lost database: its 503)
            _unavailable("rendering %s", request.path, error)
            return self.get_response(request)
        entry = found.get(page_key)
        if entry is not None and entry["versions"] == versions:
            return _from_stored(request, entry)
        request.page_versions = versions
        reader = holds_private_cookie(request)
        _as_reader_without_cookies(request, query)
        response = self.get_response(request)
        _forget_made_for_nothing(slug, found, response)
        if not getattr(response, "shareable", False) or response.status_code != 200:
            return response
        if response.cookies:  # something made it one reader's page
            if reader:  # never let an anonymous render replace the reader's own cookies
                response.cookies.clear()
            return response
        canonical = _shown_query(request, query)
        if canonical != query:  # e.g. a page number past the last: the page shown has an address
            return HttpResponseRedirect(f"{request.path}?{urlencode(canonical)}".rstrip("?"))
        until = getattr(response, "shared_until", None)
        entry = _stored(response, versions, until)
        timeout = _timeout(until)
        if timeout > 0 and request.method == "GET":  # a HEAD answer is never stored
            try:
                cache.set(page_key, entry, timeout=timeout)
            except Exception as error:  # not stored this time; this reader still gets the page
                _unavailable("%s not stored", request.path, error)
        return _from_stored(request, entry)


def _unavailable(what: str, subject: str, error: Exception) -> None:
    """One warning line for a cache that failed: during a database outage (the cache is a
    table there) every request meets it, and the operator needs the line, not a traceback."""
    first_line = next(iter(str(error).strip().splitlines()), "")
    logger.warning(
        "Page cache unavailable (%s: %s); " + what, type(error).__name__, first_line, subject
    )


def _forget_made_for_nothing(slug: str, found: dict, response: HttpResponse) -> None:
    """Version keys are never culled: one made for an address that is no article (any slug
    resolves to the article view) is deleted again, so made-up addresses leave nothing."""
    if response.status_code == 404 and found.get(_article_key(slug)) is None:
        try:
            cache.delete(_article_key(slug))
        except Exception as error:
            _unavailable("version of %s kept", slug, error)


def _as_reader_without_cookies(request: HttpRequest, query: list[tuple[str, str]]) -> None:
    """Make the request one the shared copy may be rendered from: no cookie (so no session,
    user, guest or messages) and no query but the key's canonical parameters."""
    request.cookies_sent = request.COOKIES  # what the answer's own cookies are kept in step with
    request.COOKIES = {}
    request.META.pop("HTTP_COOKIE", None)
    request.META["QUERY_STRING"] = urlencode(query)
    request.GET = QueryDict(request.META["QUERY_STRING"])


def _shown_query(request: HttpRequest, query: list[tuple[str, str]]) -> list[tuple[str, str]]:
    shown_values = getattr(request, "shown_parameters", {})
    values = {**dict(query), **shown_values}
    return [(name, values[name]) for name in sorted(values) if values[name]]


def _mark_reader(request: HttpRequest, response: HttpResponse) -> None:
    """Keep ``READER_COOKIE`` set exactly while the browser holds a private cookie, and mark an
    HTML page rendered for such a reader private."""
    names = private_cookies()
    sent = getattr(request, "cookies_sent", request.COOKIES)
    set_now = {n for n in names if n in response.cookies and response.cookies[n]["max-age"] != 0}
    deleted = {n for n in names if n in response.cookies and response.cookies[n]["max-age"] == 0}
    held = {n for n in names if n in sent} - deleted
    has_state = bool(set_now or held)
    if has_state and READER_COOKIE not in sent:
        response.set_cookie(
            READER_COOKIE,
            "1",
            max_age=READER_COOKIE_MAX_AGE,
            samesite="Lax",
            secure=not settings.DEBUG,
        )
    elif not has_state and READER_COOKIE in sent:
        response.delete_cookie(READER_COOKIE, samesite="Lax")
    if (
        held
        and not getattr(response, "shared_copy", False)
        and response.get("Content-Type", "").startswith("text/html")
        and not response.has_header("Cache-Control")
    ):
        patch_cache_control(response, private=True, no_cache=True)


def _resolve(request: HttpRequest) -> ResolverMatch | None:
    if request.method not in ("GET", "HEAD"):
        return None
    try:
        return resolve(request.path_info)
    except Resolver404:
        return None


def _article_slug(match: ResolverMatch | None) -> str | None:
    """The article's slug when this is a GET or HEAD of a page the cache may keep."""
    if settings.PAGE_CACHE_SECONDS <= 0 or match is None:
        return None
    if not getattr(match.func, "shared_page", False):
        return None
    return match.kwargs.get("slug")


def version_checked(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Mark ``view(request, slug)`` as one whose answer changes only with the article's
    version (its ETag is the version, quoted): a request whose ``If-None-Match`` names the
    current version is answered 304 by ``SharedPageMiddleware`` from one cache read, before
    sessions, CSRF, authentication and the rest run (the live-update check of open pages)."""
    view.version_checked = True
    return view


def _not_modified(request: HttpRequest, slug: str) -> HttpResponse | None:
    asked = request.headers.get("If-None-Match")
    if not asked or not slug:
        return None
    try:
        version = cache.get(_article_key(slug))
    except Exception:  # the cache is down: the view answers
        return None
    if version is None or f'"{version}"' not in parse_etags(asked):
        return None
    response = HttpResponseNotModified()
    response["ETag"] = f'"{version}"'
    response["Cache-Control"] = "no-cache"
    return response


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
