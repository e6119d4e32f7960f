"""Article bodies: text an editor writes without HTML, turned into safe HTML."""

from __future__ import annotations

import itertools
import re
from html.parser import HTMLParser

import markdown
import nh3

ALLOWED_TAGS = {
    "p", "h2", "h3", "h4", "blockquote", "ul", "ol", "li", "strong", "em", "a", "br", "hr",
    "code", "pre", "figure", "figcaption", "sub", "sup",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}


def render_body(text: str) -> str:
    """Render Markdown-style text to HTML, keeping only tags and links that are safe on a page.

    Raw HTML in the text is escaped by the sanitiser's allow-list, script and event handler
    attributes never survive, and links to other sites get ``rel="noopener"``.
    """
    html = markdown.markdown(text, extensions=["sane_lists", "smarty"], output_format="html")
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener",
    )
    return number_paragraphs(clean)


# The sanitiser leaves <p> without attributes: the only way a paragraph opens in its output.
_PARAGRAPH = re.compile(r"<p>")


def paragraph_id(number: int) -> str:
    """The HTML id of the article's paragraph ``number`` (1, 2, ...): readers comment on it."""
    return f"para-{number}"


def number_paragraphs(html: str) -> str:
    """Give each paragraph of sanitised HTML its id, in document order."""
    numbers = itertools.count(1)
    return _PARAGRAPH.sub(lambda _: f'<p id="{paragraph_id(next(numbers))}">', html)


class _Paragraphs(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._open = False

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag == "p":
            self.found.append("")
            self._open = True
        elif tag == "br" and self._open:
            self.found[-1] += "\n"

    def handle_endtag(self, tag: str) -> None:
        if tag == "p":
            self._open = False

    def handle_data(self, data: str) -> None:
        if self._open:
            self.found[-1] += data


def paragraphs(html: str) -> list[str]:
    """The text of each paragraph of rendered body HTML, as a reader sees it, in the order
    ``number_paragraphs`` numbers them: paragraph n is ``paragraphs(html)[n - 1]``."""
    parser = _Paragraphs()
    parser.feed(html)
    parser.close()
    return [" ".join(text.split()) for text in parser.found]


# WordPress shortcodes ([caption id="..."], [/caption], [gallery]): markup of a plugin, not text.
_SHORTCODE = re.compile(r"\[/?[a-z][a-z0-9_-]*(?:\s[^\]]*)?\]")


def clean_imported_html(html: str) -> str:
    """HTML from another system (a WordPress post) as an article body: shortcodes dropped and
    only what ``render_body`` allows kept, so the stored text holds no script either. Its
    blank-line paragraphs render as this site's paragraphs."""
    html = _SHORTCODE.sub("", html.replace("\r\n", "\n"))
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel=None,
    ).strip()
