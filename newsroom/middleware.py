from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from newsroom.views import DATABASE_DOWN, database_unavailable

# Reader pages load only our own scripts and styles: no inline code, so this policy holds.
READER_POLICY = "; ".join(
    [
        "default-src 'self'",
        "img-src 'self' data:",
        "style-src 'self'",
        "script-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class ContentSecurityPolicyMiddleware:
    """Send a strict Content-Security-Policy on reader pages (the admin keeps Django's own)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.path.startswith("/admin/"):
            response.headers.setdefault("Content-Security-Policy", READER_POLICY)
        return response


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
