"""The Content Security Policy, sent by django-csp on every response (settings.py has it), the
calm answer while the database is away, and ETags that survive a form's per-render values."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable

from csp.constants import UNSAFE_INLINE
from csp.middleware import CSPMiddleware, PolicyParts
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.utils.http import quote_etag

from newsroom.views import DATABASE_DOWN, database_unavailable


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware, with one allowance for the admin: django-mptt indents the
    comment tree with ``style`` attributes. Attributes only: no inline ``<style>`` element
    and no inline script runs there either."""

    def get_policy_parts(
        self, request: HttpRequest, response: HttpResponseBase, report_only: bool = False
    ) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if request.path_info.startswith("/admin/") and not report_only:
            parts.update = {**(parts.update or {}), "style-src-attr": [UNSAFE_INLINE]}
        return parts


class DatabaseUnavailableMiddleware:
    """Answer a calm 503 (``newsroom.views.database_unavailable``) when a view meets a lost
    database connection, as while PostgreSQL restarts, instead of a 500 with a traceback.

    Django's connection health checks (``CONN_HEALTH_CHECKS``) then reconnect on the next
    request once the server is back, so the site recovers without restarting gunicorn."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, DATABASE_DOWN):
            return database_unavailable(request, exception)
        return None


# Hidden inputs whose value changes on every render and nothing else: the comment form's signed
# timestamp (comments/forms.py) and Django's masked CSRF token.
PER_RENDER_VALUES = re.compile(rb'(name="(?:ts|csrfmiddlewaretoken)" value=")[^"]*"')


class StableETagMiddleware:
    """Give an HTML page an ETag that leaves out ``PER_RENDER_VALUES``, so a reader's reload
    gets its 304 (from ``ConditionalGetMiddleware``, outside this one) even a second later.

    Two renders that differ only there are the same page to the reader: a 304 lets the
    browser keep an older timestamp, which the form still accepts for hours (and answers,
    text kept, when too old), and an older masked CSRF token, which stays valid until the
    CSRF secret changes (at sign-in): the secret goes into the hash, so then the ETag does."""

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
            digest = hashlib.sha256(PER_RENDER_VALUES.sub(rb'\1"', response.content))
            digest.update(request.META.get("CSRF_COOKIE", "").encode())
            response["ETag"] = quote_etag(digest.hexdigest()[:32])
        return response
