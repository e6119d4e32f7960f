"""Comments on one passage of the article: which paragraph, and the words quoted from it.

A reader picks a paragraph (on the article with JavaScript, by selecting words in it; without,
from the list on the passage page), and the comment starts a thread shown under those words,
linked back to the paragraph. What is quoted is checked against the article as published:
the words must be in that paragraph exactly, give or take spacing, so no comment can show a
"quote" the article never printed (a look-alike letter is a different letter).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from articles.formatting import paragraphs
from articles.models import Article
from comments.domain import CommentRefused
from comments.models import Comment

MAX_QUOTE = Comment._meta.get_field("quote").max_length
NO_SUCH_PASSAGE = gettext_lazy("That passage is no longer in the article. Choose another one.")
NOT_IN_A_REPLY = gettext_lazy(
    "A reply cannot quote the article. Quote it in a new comment instead."
)
# Quoting a whole paragraph (no words selected) shows its opening this long.
WHOLE_PARAGRAPH_SHOWN = 300


@dataclass(frozen=True)
class Passage:
    number: int  # the article's paragraph, from 1
    quote: str  # the words quoted from it


def _spaced(text: str) -> str:
    return " ".join(text.split())


def article_paragraphs(article: Article) -> list[str]:
    """The text of each paragraph of the article, in order: paragraph n is item n - 1."""
    return paragraphs(article.body_html)


def choose(article: Article, number: int, words: str = "") -> Passage:
    """The passage a reader picked: paragraph ``number`` of ``article`` and ``words`` from it,
    or its opening when no words were selected. Raises ``CommentRefused`` saying what is wrong."""
    texts = article_paragraphs(article)
    if not 1 <= number <= len(texts):
        raise CommentRefused(str(NO_SUCH_PASSAGE), code="passage")
    paragraph = texts[number - 1]
    words = _spaced(words)
    if not words:
        return Passage(number, Truncator(paragraph).chars(WHOLE_PARAGRAPH_SHOWN))
    if len(words) > MAX_QUOTE:
        raise CommentRefused(
            _("Quote at most %(limit)d characters of the article.") % {"limit": MAX_QUOTE},
            code="passage",
        )
    if words not in paragraph:
        raise CommentRefused(
            _("The words you quoted are not in that passage of the article."), code="passage"
        )
    return Passage(number, words)
