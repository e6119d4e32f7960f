"""Addresses of a comment's pages, built without a pass through the URL resolver each time:
a page of 60 comments links every one of them five ways, and ``reverse`` was a tenth of its
rendering time."""

from __future__ import annotations

from functools import lru_cache

from django.urls import get_script_prefix, reverse

_SLOT = 2_147_483_647  # stands for the comment's id while the pattern is reversed once


@lru_cache(maxsize=64)
def _around_id(name: str, prefix: str) -> tuple[str, str]:
    before, _, after = reverse(name, args=[_SLOT]).partition(str(_SLOT))
    return before, after


def comment_url(name: str, pk: int) -> str:
    """``reverse(name, args=[pk])`` for the comment URLs, which each take one integer id."""
    before, after = _around_id(name, get_script_prefix())
    return f"{before}{int(pk)}{after}"


ID_SLOT = "{id}"


def comment_url_pattern(name: str) -> str:
    """The comment URL ``name`` with ``{id}`` for the id: for the page's script, which fills
    in the ids of a reader's own comments (comments/reader.py)."""
    before, after = _around_id(name, get_script_prefix())
    return f"{before}{ID_SLOT}{after}"
