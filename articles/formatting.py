"""Article bodies: text an editor writes without HTML, turned into safe HTML."""

from __future__ import annotations

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
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener",
    )
