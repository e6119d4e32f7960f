"""Imported comment HTML as the site's plain text: the shortcut for simple HTML gives the same
text as the full parser."""

from __future__ import annotations

import pytest

from comments.imports import text


def parsed(html: str) -> str:
    parser = text._PlainText()
    parser.feed(html)
    parser.close()
    return parser.text()


@pytest.mark.parametrize(
    "html",
    [
        "<p>One</p><p>Two &amp; three</p>",
        "<P>Loud</P>\n<p>quiet<br>next line<br/>last</p>",
        "<p>The <b>bridge</b> is <i>late</i> &lt;again&gt; &#39;quoted&#39;</p>",
        "Plain words &eacute;t&eacute; ✓ <em>stressed</em> <strong>strong</strong> <u>u</u>",
        "<p>  spaced  </p>\n\n\n<p>after blank lines</p>",
    ],
)
def test_simple_html_takes_the_shortcut_to_the_same_text(html):
    assert text.plain_text(html) == parsed(html)


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ("<p>Hi</p><script>alert(1)</script>", "Hi"),
        ('<p>See <a href="https://example.org/x">this</a></p>', "See this (https://example.org/x)"),
        ("<blockquote>Quoted</blockquote><p>Reply</p>", "> Quoted\n\nReply"),
        ("a < b and c > d", "a < b and c > d"),
    ],
)
def test_other_html_goes_through_the_parser(html, expected):
    assert text.plain_text(html) == expected
