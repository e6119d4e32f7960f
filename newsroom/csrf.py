"""Cross-site request forgery protection that needs no token in the page.

The comment forms are on article pages that every anonymous reader shares from the cache, so
they cannot carry a per-reader CSRF token. For the views marked ``@cross_origin_protected``
the browser's own word decides instead, as Go 1.25's ``CrossOriginProtection`` does:

- ``Sec-Fetch-Site: same-origin`` (or ``none``: typed by the reader) is accepted; any other
  value is refused unless the request's ``Origin`` is in ``CSRF_TRUSTED_ORIGINS``;
- without ``Sec-Fetch-Site`` (older browsers), an ``Origin`` naming this host (or a trusted
  origin) is accepted and any other is refused;
- with neither header the request did not come from a modern browser's form or script, and
  Django's usual token check applies (pages rendered for one reader still carry the token).

Every browser in use sends ``Origin`` with a POST and all current ones ``Sec-Fetch-Site``;
neither can be set by a page's script, so a page on another site cannot pass.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import (
    CSRF_ALLOWED_CHARS,
    CSRF_SECRET_LENGTH,
    _get_failure_view,
)

SAFE_METHODS = ("GET", "HEAD", "OPTIONS", "TRACE")


def cross_origin_protected(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Protect ``view`` by Origin and Sec-Fetch-Site instead of requiring a token (apply it
    outermost, above ``require_POST``)."""
    view.cross_origin_protected = True
    return view


def _trusted(origin: str | None) -> bool:
    return bool(origin) and origin in settings.CSRF_TRUSTED_ORIGINS


def _same_host(origin: str, request: HttpRequest) -> bool:
    try:
        host = request.get_host()
    except DisallowedHost:
        return False
    return urlsplit(origin).netloc.lower() == host.lower()


def same_origin_verdict(request: HttpRequest) -> bool | None:
    """True: the browser says the request comes from this site; False: from another one;
    None: no browser said (no ``Sec-Fetch-Site``, no ``Origin``)."""
    origin = request.headers.get("Origin")
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None:
        return fetch_site.lower() in ("same-origin", "none") or _trusted(origin)
    if origin is None:
        return None
    return _same_host(origin, request) or _trusted(origin)


class CrossOriginMiddleware:
    """Decide the ``@cross_origin_protected`` views' POSTs by the browser's headers before
    Django's ``CsrfViewMiddleware`` (placed after this one) asks for a token: accepted, that
    check is skipped; refused, ``CSRF_FAILURE_VIEW`` answers as for any CSRF failure; when no
    browser said, the token check runs as usual."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request, callback, callback_args, callback_kwargs):
        if request.method in SAFE_METHODS or not getattr(callback, "cross_origin_protected", False):
            return None
        verdict = same_origin_verdict(request)
        if verdict is True:
            request.csrf_processing_done = True  # CsrfViewMiddleware then lets it through
        elif verdict is False:
            return _get_failure_view()(request, reason="Cross-origin request refused.")
        return None


# For CSRF tokens: random bytes at or above _UNBIASED are dropped (below it each character
# is as likely as any other), the rest map to characters by a table; a character's index.
_UNBIASED = 256 - 256 % len(CSRF_ALLOWED_CHARS)
_DROPPED = bytes(range(_UNBIASED, 256))
_CHARACTERS = bytes(ord(CSRF_ALLOWED_CHARS[byte % len(CSRF_ALLOWED_CHARS)]) for byte in range(256))
_INDEX = {char: index for index, char in enumerate(CSRF_ALLOWED_CHARS)}


def token(request: HttpRequest) -> str:
    """``django.middleware.csrf.get_token``: the browser's CSRF secret (a new one, sent as
    its cookie, if it has none), masked afresh for this response. The same kind of token, as
    hard to guess, but with the random characters drawn from one read of the system's random
    source instead of one read per character (64 when the browser holds no secret yet),
    which made it a tenth of the reader's layer.

    Unlike ``get_token``, the cookie is not sent again when the browser sent it as it is
    (``get_token`` renews its expiry on every call): the layer asks on every page view,
    where setting the cookie cost a tenth of the layer again, and the cookie it would renew
    was set for ``CSRF_COOKIE_AGE`` (a year) when the reader signed in (``login`` makes a new
    secret) or a form was rendered for them. One that has expired is not sent, and the next
    layer makes a new secret and sends it."""
    secret = request.META.get("CSRF_COOKIE")
    if secret is None:
        secret = _random_characters(CSRF_SECRET_LENGTH)
        request.META["CSRF_COOKIE"] = secret
    if request.COOKIES.get(settings.CSRF_COOKIE_NAME) != secret:
        # A secret new in this request, or the browser's in the masked form older Django
        # stored (CsrfViewMiddleware unmasked it): sent as the cookie.
        request.META["CSRF_COOKIE_NEEDS_UPDATE"] = True
    mask = _random_characters(CSRF_SECRET_LENGTH)
    chars, count = CSRF_ALLOWED_CHARS, len(CSRF_ALLOWED_CHARS)
    cipher = "".join(
        chars[(_INDEX[x] + _INDEX[y]) % count] for x, y in zip(secret, mask, strict=True)
    )
    return mask + cipher


def _random_characters(length: int) -> str:
    """``length`` characters of ``CSRF_ALLOWED_CHARS``, each uniformly at random."""
    found = b""
    while len(found) < length:
        found += secrets.token_bytes(2 * length).translate(_CHARACTERS, _DROPPED)
    return found[:length].decode("ascii")
