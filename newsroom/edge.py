"""The edge: an HTTP cache (Varnish here, a CDN in production) in front of the app hosts.

Anonymous readers' article, home and section pages are the same bytes for everyone, so they
say so: ``Cache-Control: public, s-maxage=..., stale-while-revalidate=..., stale-if-error=...``
and a surrogate-key header (``xkey``, what Varnish's xkey vmod reads) naming what the page
shows: ``site`` (the menu and bylines every page carries) and ``article-<id>`` for the article
and for every article a listing shows (its comment count is on the card). A page rendered for
one reader (a session, guest or messages cookie) is ``private`` and carries no keys.

Every visible change purges exactly the keys it touched, after it commits: the change bumps
the shared copies' versions (``newsroom/pagecache.py``), which calls ``purge`` here, which
queues ``purge_edge`` for the task worker; the worker sends ``PURGE`` with an ``xkey-purge``
header to every address in ``NEWSROOM_EDGE_PURGE_URLS`` and queues a retry, with a growing
delay, for those that failed. Unset, nothing is queued or sent.
"""

from __future__ import annotations

import logging
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django_tasks import task

logger = logging.getLogger(__name__)

KEY_HEADER = "xkey"  # Varnish's xkey vmod; a CDN's own name is set at the edge (docs/scaling.md)
PURGE_HEADER = "xkey-purge"
SITE = "site"
PRIVATE = "private, max-age=0, must-revalidate"
MAX_ATTEMPTS = 8


# Cookies that make a page the reader's own besides the session's: flash messages, and those
# the apps register (through ``pagecache.register``: the comments app's guest cookie, which
# holds their pending comments, edit links and votes).
_private_cookies: set[str] = {"messages"}


def register_private_cookies(names: Iterable[str]) -> None:
    _private_cookies.update(names)


def private_cookies() -> tuple[str, ...]:
    return (settings.SESSION_COOKIE_NAME, *sorted(_private_cookies))


def holds_private_cookie(request: HttpRequest) -> bool:
    return any(name in request.COOKIES for name in private_cookies())


def is_shared(request: HttpRequest) -> bool:
    """True when an edge may keep the answer: a GET or HEAD without a cookie that makes the
    page the reader's own. (A reader with one may still get the app's shared copy, with their
    own part layered on by the page's script: ``pagecache.gets_shared_copy``.)"""
    if request.method not in ("GET", "HEAD"):
        return False
    return not holds_private_cookie(request)


def article_key(article_id: int) -> str:
    return f"article-{article_id}"


def cache_control(until: datetime | None = None) -> str:
    """What an edge may do with a shared page: keep it ``EDGE_CACHE_SECONDS`` (no longer than
    ``until``, when the page changes by itself then), serve it stale while it fetches a new one
    or while the app hosts fail. Browsers revalidate every time (``max-age=0``), with a 304."""
    seconds = settings.EDGE_CACHE_SECONDS
    if until is not None:
        seconds = max(min(seconds, int((until - timezone.now()).total_seconds())), 0)
    if seconds <= 0:
        return "public, max-age=0, must-revalidate"
    return (
        f"public, max-age=0, s-maxage={seconds}, "
        f"stale-while-revalidate={settings.EDGE_STALE_WHILE_REVALIDATE}, "
        f"stale-if-error={settings.EDGE_STALE_IF_ERROR}"
    )


def share(response: HttpResponse, keys: Iterable[str], until: datetime | None = None) -> None:
    """Mark ``response`` as a page every anonymous reader shares, showing what ``keys`` name.
    ``EdgeCacheMiddleware`` makes it private again for a request or answer with cookies."""
    response.shareable = True
    response.shared_until = until
    response[KEY_HEADER] = " ".join(dict.fromkeys([SITE, *keys]))
    response["Cache-Control"] = cache_control(until)


class EdgeCacheMiddleware:
    """A page marked by ``share`` stays public only when it is the same for everyone: a
    request with a reader's cookie, an answer that sets one or anything but a 200 becomes
    ``private`` and loses its surrogate keys."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.has_header(KEY_HEADER) and (
            response.status_code != 200 or response.cookies or not is_shared(request)
        ):
            del response[KEY_HEADER]
            response["Cache-Control"] = PRIVATE
        return response


def purge(keys: Iterable[str]) -> None:
    """Queue a purge of ``keys`` at every edge (call it after the change commits). Nothing is
    queued when ``NEWSROOM_EDGE_PURGE_URLS`` is unset."""
    keys = sorted(set(keys))
    if not settings.EDGE_PURGE_URLS or not keys:
        return
    try:
        purge_edge.enqueue(keys, list(settings.EDGE_PURGE_URLS), 0)
    except Exception:  # the page is stale at the edge until its s-maxage; never fail the change
        logger.warning("Could not queue the edge purge of %s", keys, exc_info=True)


def retry_delay(attempt: int) -> timedelta:
    """Before retry number ``attempt`` (1, 2, ...): one second, doubling, at most a minute."""
    return timedelta(seconds=min(2 ** max(attempt - 1, 0), 60))


def send_purge(url: str, keys: list[str]) -> int:
    """One ``PURGE`` to one edge; returns its status (raises when it fails)."""
    request = urllib.request.Request(url, method="PURGE", headers={PURGE_HEADER: " ".join(keys)})
    with urllib.request.urlopen(request, timeout=settings.EDGE_PURGE_TIMEOUT) as answer:
        return answer.status


@task()
def purge_edge(keys: list[str], urls: list[str], attempt: int = 0) -> int:
    """Purge ``keys`` at each of ``urls``; the ones that fail are tried again later (up to
    ``MAX_ATTEMPTS`` times in all). Returns how many edges purged."""
    failed = []
    for url in urls:
        try:
            send_purge(url, keys)
        except (OSError, urllib.error.URLError) as error:
            logger.warning("Edge purge of %s at %s failed: %s", keys, url, error)
            failed.append(url)
    attempt += 1
    if failed and attempt < MAX_ATTEMPTS and purge_edge.get_backend().supports_defer:
        later = purge_edge.using(run_after=timezone.now() + retry_delay(attempt))
        later.enqueue(keys, failed, attempt)
    elif failed:
        logger.error("Edge purge of %s gave up at %s", keys, failed)
    return len(urls) - len(failed)
