"""Site-wide pages: health check, robots.txt and the error pages (CSRF failure among them)."""

from __future__ import annotations

import logging
import sys

from django.db import InterfaceError, OperationalError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.template import loader
from django.urls import Resolver404, resolve, reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from newsroom import pagecache
from newsroom.csrf import same_origin_verdict
from newsroom.http import wants_json

logger = logging.getLogger(__name__)

# What a lost or refused database connection raises (psycopg's errors, as Django wraps them).
DATABASE_DOWN = (OperationalError, InterfaceError)
# Seconds a reader (or a client) is asked to wait when the database is away.
RETRY_AFTER = 5
# Fields of a sent form shown again, editable, on the 503 page; the rest go back hidden.
_EDITABLE = {
    "body": ("textarea", "text"),
    "details": ("textarea", "text"),
    "name": ("text", "text"),
    "email": ("text", "email"),
}
# The reader forms whose text comes back on the 503 page (the comment forms' views).
_READER_FORMS = {"comments:post", "comments:reply", "comments:edit", "comments:report"}


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the app can reach its database, 503 otherwise (for load balancers)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:  # whatever it is, the answer is "not healthy"
        logger.warning("Health check failed: %s", first_line(error))
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


def robots_txt(request: HttpRequest) -> HttpResponse:
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /accounts/",
        f"Sitemap: {request.build_absolute_uri(reverse('django.contrib.sitemaps.views.sitemap'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")


# A transparent 1x1 GIF.
_PIXEL = bytes.fromhex(
    "47494638396101000100800000000000ffffff21f90401000000002c00000000010001000002024401003b"
)


def without_script(request: HttpRequest) -> HttpResponse:
    """Loaded only by a page shown with scripts off (from ``<noscript>``): forget the cookie
    that says this browser runs the page's script, so the reader's next page is rendered for
    them rather than the shared copy their script would have completed (newsroom/pagecache.py)."""
    response = HttpResponse(_PIXEL, content_type="image/gif")
    response["Cache-Control"] = "no-store"
    if pagecache.JS_COOKIE in request.COOKIES:
        response.delete_cookie(pagecache.JS_COOKIE, samesite="Lax")
    return response


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return HttpResponse(loader.render_to_string("404.html", request=request), status=404)


def first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def _sent_fields(request: HttpRequest) -> list[dict[str, str]]:
    """What the reader sent, to put back in a form they can send again (never the CSRF token,
    which the page renews). Only from the site's own comment forms, sent from the site's own
    page as the browser vouches (``Sec-Fetch-Site`` or ``Origin``): another site's forged
    POST must never come back as a ready form with a fresh token."""
    if request.method != "POST" or same_origin_verdict(request) is not True:
        return []
    try:
        if resolve(request.path_info).view_name not in _READER_FORMS:
            return []
    except Resolver404:
        return []
    try:
        items = [
            (k, v)
            for k, v in request.POST.items()
            if k != "csrfmiddlewaretoken" and "password" not in k.lower()
        ]
    except Exception:  # an unreadable body has nothing worth keeping
        return []
    labels = {
        "body": _("Your comment"),
        "details": _("Details"),
        "name": _("Name"),
        "email": _("Email"),
    }
    fields = []
    for name, value in items:
        kind, input_type = _EDITABLE.get(name, ("hidden", "hidden"))
        fields.append(
            {
                "name": name,
                "value": value,
                "kind": kind,
                "input_type": input_type,
                "label": labels.get(name, ""),
            }
        )
    # Only forms that carry a reader's writing come back (never a sign-in form, say).
    return fields if any(f["kind"] == "textarea" for f in fields) else []


def database_unavailable(request: HttpRequest, error: BaseException) -> HttpResponse:
    """A calm 503 while the database is away: a ``Retry-After``, one warning line in the log
    (no traceback), and for a sent form the reader's text, ready to send again.

    Renders without touching the database (no context processors, no session or user)."""
    logger.warning(
        "Database unavailable, answered 503 to %s %s: %s",
        request.method,
        request.path,
        first_line(error),
    )
    message = _("Our database is briefly unavailable. Please try again in a few seconds.")
    if wants_json(request):
        response: HttpResponse = JsonResponse({"ok": False, "message": message}, status=503)
    else:
        fields = _sent_fields(request)
        context = {
            "retry_after": RETRY_AFTER,
            "fields": fields,
            "action": request.get_full_path(),
            "csrf_token": get_token(request) if fields else "",
        }
        response = HttpResponse(loader.render_to_string("503.html", context), status=503)
    response["Retry-After"] = str(RETRY_AFTER)
    response["Cache-Control"] = "no-store"
    # Logged above, in one line: Django's request logger would add an error with the trace.
    response._has_been_logged = True
    return response


def server_error(request: HttpRequest) -> HttpResponse:
    error = sys.exc_info()[1]
    if isinstance(error, DATABASE_DOWN):  # raised outside a view (a middleware, a signal)
        return database_unavailable(request, error)
    # No request context: whatever broke (the database, a context processor) must not break
    # the error page too.
    return HttpResponse(loader.render_to_string("500.html"), status=500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A failed CSRF check (an old page, cookies blocked, or another site's forged form): say
    so, and show the text sent as plain text to copy. Never a form filled in from the request:
    with a fresh token, one click would post a forged text under the reader's name."""
    message = _("Your session expired before the form was sent. Check your text and send it again.")
    if wants_json(request):
        return JsonResponse({"ok": False, "message": message}, status=403)
    return render(request, "403_csrf.html", {"message": message}, status=403)
