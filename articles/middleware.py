"""Old addresses of imported articles (``OldPermalink``) answered with a 301."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect

from articles.models import OldPermalink


def _candidates(request: HttpRequest) -> list[str]:
    """The request's path with its query, then without; each with and without a final slash
    (WordPress links come both ways)."""
    path = request.path
    other = path[:-1] if path.endswith("/") and len(path) > 1 else f"{path}/"
    query = request.META.get("QUERY_STRING", "")
    paths = [path, other]
    return ([f"{path}?{query}", f"{other}?{query}"] if query else []) + paths


class OldPermalinkMiddleware:
    """Like django.contrib.redirects' fallback: looks only at requests that would be a 404
    (GET or HEAD), so it costs nothing on every page that exists, one indexed query on one that
    does not."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code != 404 or request.method not in ("GET", "HEAD"):
            return response
        # (PostgreSQL text cannot hold NUL: such an address is no old permalink.)
        candidates = [c for c in _candidates(request) if len(c) <= 500 and "\x00" not in c]
        found = {
            link.path: link
            for link in OldPermalink.objects.filter(path__in=candidates).select_related("article")
        }
        for candidate in candidates:
            if candidate in found:
                return HttpResponsePermanentRedirect(found[candidate].article.get_absolute_url())
        return response
