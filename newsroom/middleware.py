"""The Content Security Policy, sent by django-csp on every response (settings.py has it),
compression of the responses worth compressing, and the calm answer while the database is
away."""

from __future__ import annotations

from collections.abc import Callable

from csp.constants import UNSAFE_INLINE
from csp.middleware import CSPMiddleware, PolicyParts
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.middleware.gzip import GZipMiddleware as DjangoGZipMiddleware

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


class GZipMiddleware(DjangoGZipMiddleware):
    """Django's, for bodies of at least ``MIN_LENGTH`` bytes (Django's own floor is 200).

    A smaller one (the reader's layer, the small JSON answers) saves at most a few hundred
    bytes, sent in the same packet as its headers either way, and often none: Django adds up
    to 100 random bytes to every compressed body (against BREACH), so a JSON answer of 250
    bytes came out larger and was sent as it was, after compressing it had cost as much as
    the rest of building it. Pages are far above it and are compressed as before."""

    MIN_LENGTH = 1024

    def process_response(self, request: HttpRequest, response: HttpResponseBase):
        if not response.streaming and len(response.content) < self.MIN_LENGTH:
            return response
        return super().process_response(request, response)


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
