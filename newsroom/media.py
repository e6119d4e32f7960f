"""Uploaded files, served by Django only when ``SERVE_MEDIA`` is on (development, tests)."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.views.static import serve


def media(request: HttpRequest, path: str) -> HttpResponse:
    """In production nginx or an object store serves /media/; here it is a 404."""
    if not settings.SERVE_MEDIA:
        raise Http404
    return serve(request, path, document_root=settings.MEDIA_ROOT)
