from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

from articles.models import NAV_CACHE_KEY, Section


def navigation(request: HttpRequest) -> dict:
    """Sections for the site menu, cached briefly (every page shows them)."""
    sections = cache.get(NAV_CACHE_KEY)
    if sections is None:
        sections = [(s.name, s.get_absolute_url()) for s in Section.objects.all()]
        cache.set(NAV_CACHE_KEY, sections, 300)
    return {"nav_sections": sections, "site_name": settings.SITE_NAME}
