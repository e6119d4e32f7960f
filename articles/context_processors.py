from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from articles.models import Section


def navigation(request: HttpRequest) -> dict:
    """Sections for the site menu: one small query. (Caching it would cost as much: the shared
    cache is a PostgreSQL table unless Redis is configured.)"""
    sections = [(s.name, s.get_absolute_url()) for s in Section.objects.only("name", "slug")]
    return {"nav_sections": sections, "site_name": settings.SITE_NAME}
