"""Comment text: plain text with paragraphs, quoted lines and automatic links; nothing else."""

from __future__ import annotations

import re

from django.utils.html import escape, urlize
from django.utils.safestring import SafeString, mark_safe

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


def has_control_characters(text: str) -> bool:
    return bool(_CONTROL.search(text))


def normalise(text: str) -> str:
    """Unify line endings and trim; the stored body is what the reader typed, otherwise."""
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


def _inline(lines: list[str]) -> str:
    html = urlize("\n".join(lines), nofollow=True, autoescape=True)
    html = html.replace('rel="nofollow"', 'rel="nofollow ugc noopener"')
    # urlize links email addresses without a rel: mark those as reader-supplied too.
    html = html.replace('<a href="mailto:', '<a rel="nofollow ugc noopener" href="mailto:')
    return html.replace("\n", "<br>")


def render(text: str) -> SafeString:
    """Paragraphs on blank lines, ``>`` lines as quotations, links made clickable (and marked
    ``nofollow ugc``); every other character is escaped."""
    blocks = []
    for block in _PARAGRAPH_BREAK.split(normalise(text)):
        lines = block.split("\n")
        quoted = [line for line in lines if line.lstrip().startswith(">")]
        if quoted and len(quoted) == len(lines):
            inner = [line.lstrip()[1:].lstrip() for line in lines]
            blocks.append(f"<blockquote><p>{_inline(inner)}</p></blockquote>")
        else:
            blocks.append(f"<p>{_inline(lines)}</p>")
    return mark_safe("".join(blocks))  # every piece above is escaped


def excerpt(text: str, length: int = 140) -> str:
    text = " ".join(normalise(text).split())
    return escape(text if len(text) <= length else text[: length - 1] + "…")
