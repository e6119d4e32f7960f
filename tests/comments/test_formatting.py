"""Comment text: plain text with paragraphs, quoted lines and automatic links marked
rel="nofollow ugc noopener"; everything else is escaped."""

from __future__ import annotations

import pytest

from comments.formatting import render
from tests.comments.helpers import make_posted_comment, page

REL = 'rel="nofollow ugc noopener"'


@pytest.mark.parametrize(
    ("text", "html"),
    [
        pytest.param("Just words.", "<p>Just words.</p>", id="plain"),
        pytest.param("One.\n\nTwo.", "<p>One.</p><p>Two.</p>", id="paragraphs"),
        pytest.param("One.\n  \n\nTwo.", "<p>One.</p><p>Two.</p>", id="blank-lines-with-spaces"),
        pytest.param("Line one\nline two", "<p>Line one<br>line two</p>", id="line-break"),
        pytest.param("One.\r\n\r\nTwo.\rThree.", "<p>One.</p><p>Two.<br>Three.</p>", id="crlf"),
        pytest.param(
            "> They said this\n> and this\n\nI disagree.",
            "<blockquote><p>They said this<br>and this</p></blockquote><p>I disagree.</p>",
            id="quote",
        ),
        pytest.param("  >  Indented quote", "<blockquote><p>Indented quote</p></blockquote>"),
        pytest.param(
            "> quoted\nnot quoted", "<p>&gt; quoted<br>not quoted</p>", id="half-quoted-block"
        ),
        pytest.param(">> nested", "<blockquote><p>&gt; nested</p></blockquote>", id="nested"),
        pytest.param(
            "See https://example.com/a?b=1&c=2 now",
            f'<p>See <a href="https://example.com/a?b=1&amp;c=2" {REL}>'
            "https://example.com/a?b=1&amp;c=2</a> now</p>",
            id="link",
        ),
        pytest.param(
            "Read www.example.org.",
            f'<p>Read <a href="http://www.example.org" {REL}>www.example.org</a>.</p>',
            id="www-link",
        ),
        pytest.param(
            "> https://example.com",
            f'<blockquote><p><a href="https://example.com" {REL}>https://example.com</a>'
            "</p></blockquote>",
            id="link-in-quote",
        ),
        pytest.param(
            "<script>alert('x')</script>",
            "<p>&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;</p>",
            id="script",
        ),
        pytest.param(
            '<a href="https://evil.example" onclick="x()">hi</a>',
            # The markup is escaped; the address inside it is still a (marked) link.
            f'<p>&lt;a href=&quot;<a href="https://evil.example" {REL}>https://evil.example</a>'
            "&quot; onclick=&quot;x()&quot;&gt;hi&lt;/a&gt;</p>",
            id="html-link",
        ),
        pytest.param(
            "**bold** _it_ # heading &amp;",
            "<p>**bold** _it_ # heading &amp;amp;</p>",
            id="no-markup",
        ),
        pytest.param("javascript:alert(1)", "<p>javascript:alert(1)</p>", id="javascript-url"),
        pytest.param(
            'https://example.com/"onmouseover="alert(1)',
            f'<p><a href="https://example.com/" {REL}>https://example.com/</a>'
            "&quot;onmouseover=&quot;alert(1)</p>",
            id="attribute-injection",
        ),
        pytest.param(
            'Say rel="nofollow" twice',
            "<p>Say rel=&quot;nofollow&quot; twice</p>",
            id="rel-text-stays-text",
        ),
    ],
)
def test_comment_text_is_rendered_as_safe_html(text, html):
    assert render(text) == html


def test_every_automatic_link_is_marked_nofollow_ugc_noopener():
    html = render("Write to press@example.org")

    assert html.count("<a ") == html.count(REL) == 1


@pytest.mark.django_db
@pytest.mark.usefixtures("reader_settings")
def test_the_page_shows_the_rendered_comment(client, article):
    make_posted_comment(article, "> Quote <b>me</b>\n\nhttps://example.com & more")

    html = page(client, article)

    assert (
        '<div class="comment__body"><blockquote><p>Quote &lt;b&gt;me&lt;/b&gt;</p></blockquote>'
        f'<p><a href="https://example.com" {REL}>https://example.com</a> &amp; more</p></div>'
    ) in html
    assert "<b>me</b>" not in html
