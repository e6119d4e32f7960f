"""Imported text checked as posted text is: HTML made the site's plain text, invisible
characters removed, the service's own checks, names and emails that fit."""

from __future__ import annotations

import re
from html import unescape
from html.parser import HTMLParser

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from comments import formatting
from comments.models import Comment
from comments.services import check_shape

GUEST_NAME_LENGTH = Comment._meta.get_field("guest_name").max_length


class _PlainText(HTMLParser):
    """HTML of an imported comment as the site's plain text: paragraphs on blank lines,
    quotations as ``>`` lines, a link's address after its words; scripts and styles dropped
    with their content."""

    BLOCKS = {"p", "div", "ul", "ol", "pre", "h1", "h2", "h3", "h4", "h5", "h6", "table", "tr"}
    SILENT = {"script", "style", "iframe", "object", "noscript", "template", "head"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[list[str]] = [[]]
        self.silent = 0
        self.links: list[str | None] = []

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in self.SILENT:
            self.silent += 1
        elif tag in self.BLOCKS:
            self.parts[-1].append("\n\n")
        elif tag == "br":
            self.parts[-1].append("\n")
        elif tag == "li":
            self.parts[-1].append("\n- ")
        elif tag == "blockquote":
            self.parts.append([])
        elif tag == "a":
            href = dict(attrs).get("href") or ""
            self.links.append(href if href.startswith(("http://", "https://")) else None)

    def handle_startendtag(self, tag: str, attrs) -> None:
        if tag == "br":
            self.parts[-1].append("\n")
        elif tag not in self.SILENT:
            self.handle_starttag(tag, attrs)
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SILENT:
            self.silent = max(0, self.silent - 1)
        elif tag in self.BLOCKS:
            self.parts[-1].append("\n\n")
        elif tag == "blockquote" and len(self.parts) > 1:
            quoted = tidy("".join(self.parts.pop()))
            lines = "\n".join(f"> {line}".rstrip() for line in quoted.split("\n"))
            self.parts[-1].append(f"\n\n{lines}\n\n")
        elif tag == "a" and self.links:
            href = self.links.pop()
            if href and href not in "".join(self.parts[-1])[-len(href) :]:
                self.parts[-1].append(f" ({href})")

    def handle_data(self, data: str) -> None:
        if not self.silent:
            self.parts[-1].append(data)

    def text(self) -> str:
        while len(self.parts) > 1:  # a quotation left open
            inner = self.parts.pop()
            self.parts[-1].extend(inner)
        return tidy("".join(self.parts[0]))


_BLANK_LINES = re.compile(r"\n[ \t]*\n(?:[ \t]*\n)+")


def tidy(text: str) -> str:
    text = formatting.normalise(text)
    text = "\n".join(line.rstrip() for line in text.split("\n"))
    return _BLANK_LINES.sub("\n\n", text).strip()


_TAG = re.compile(r"<[^<>]*>")
# Most comments use only these: paragraphs, line breaks, emphasis.
_SIMPLE_TAG = re.compile(r"</?(?:(p)|(br)|b|i|em|strong|u)\s*/?>", re.IGNORECASE)


def _simple(match: re.Match) -> str:
    return "\n\n" if match.group(1) else "\n" if match.group(2) else ""


def plain_text(html: str) -> str:
    """An imported comment's HTML as the site's plain text (see ``_PlainText``). HTML made
    of paragraphs, breaks and emphasis alone (most comments) takes a shortcut to the same
    text: a million comments in an import."""
    if "<" not in html and "&" not in html:
        return tidy(html)
    tags = _TAG.findall(html)
    if html.count("<") == len(tags) and all(_SIMPLE_TAG.fullmatch(tag) for tag in tags):
        return tidy(unescape(_SIMPLE_TAG.sub(_simple, html)))
    parser = _PlainText()
    parser.feed(html)
    parser.close()
    return parser.text()


def comment_body(html: str, *, deleted: bool = False) -> str:
    """Imported comment text, checked as posted text is: invisible formatting characters
    removed, then the service's own checks (empty, too long, control characters). A comment
    deleted at its source may be empty (it stays a placeholder). Raises ``CommentRefused``."""
    body = without_format_characters(plain_text(html))
    if deleted and not body:
        return ""
    check_shape(body=body)
    return body


def without_format_characters(text: str) -> str:
    """``formatting.strip_format_characters``, at once for ASCII (which has none): most of
    a million imported comments."""
    return text if text.isascii() else formatting.strip_format_characters(text)


def guest_name(name: str) -> str:
    """A commenter's name as a guest's: without invisible or control characters, spaces
    collapsed, cut to the field's length; "Anonymous" when nothing is left."""
    name = without_format_characters(plain_text(name))
    if formatting.has_control_characters(name):
        name = "".join(c for c in name if not formatting.has_control_characters(c))
    name = " ".join(name.split())
    return name[:GUEST_NAME_LENGTH].strip() or _("Anonymous")


def guest_email(email: str) -> str:
    """A commenter's email if it is a valid address that fits, else nothing."""
    email = email.strip()
    if not email or len(email) > Comment._meta.get_field("guest_email").max_length:
        return ""
    try:
        validate_email(email)
    except ValidationError:
        return ""
    return email
