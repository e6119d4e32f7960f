"""The features the model weighs, the same for training and scoring: folded words, pairs of
words, character n-grams of each folded word, and the structural cues of ``structure``.

Each feature remembers which words of the original text it came from, so that a score can be
explained in the reader's own words.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise

from . import structure
from .text import Word, sentences, words

CHAR_NGRAMS = (3, 4, 5)


@dataclass(frozen=True)
class Segment:
    """One scored stretch of a comment: its words, and its features (name → value)."""

    words: list[Word]
    values: dict[str, float]
    cues: list[structure.Cue]

    def sources(self) -> dict[str, tuple[int, ...]]:
        """Per feature, the indices of the words it came from (for explanations only: it is
        worked out again, for the one segment that is explained)."""
        found: dict[str, tuple[int, ...]] = {}
        forms = [word.form for word in self.words]
        for index, form in enumerate(forms):
            for feature in word_features(form):
                found.setdefault(feature, (index,))
            if index:
                found.setdefault(f"b:{forms[index - 1]} {form}", (index - 1, index))
        for cue in self.cues:
            found[cue.feature] = cue.indices
        return found


_QUOTES = re.compile(
    r'"[^"]{3,300}"|\u201c[^\u201d]{3,300}\u201d|\u00ab[^\u00bb]{3,300}\u00bb'
    r"|\u201e[^\u201c\u201d]{3,300}[\u201c\u201d]"
)


def _quoted(text: str) -> list[tuple[int, int]]:
    return [match.span() for match in _QUOTES.finditer(text)]


@lru_cache(maxsize=65_536)  # the same words come back comment after comment
def word_features(form: str) -> tuple[str, ...]:
    """A folded word's own features: the word, and its character n-grams (padded)."""
    padded = f" {form} "
    grams = (
        f"c:{padded[start : start + size]}"
        for size in CHAR_NGRAMS
        for start in range(len(padded) - size + 1)
    )
    return (f"w:{form}", *dict.fromkeys(grams))


def _segment(
    found: list[Word], *, condemned: bool, reported: bool, quotes: list[tuple[int, int]]
) -> Segment:
    forms = [word.form for word in found]
    quoted = frozenset(
        index
        for index, word in enumerate(found)
        if any(start <= word.start < end for start, end in quotes)
    )
    features: set[str] = set()
    for form in forms:
        features.update(word_features(form))
    features.update(f"b:{first} {second}" for first, second in pairwise(forms))
    # Text features share one unit of length (an L2-normalised bag), so a long sentence
    # is not worse for being long; structural cues count in full wherever they appear.
    scale = 1.0 / math.sqrt(len(features)) if features else 0.0
    values = dict.fromkeys(features, scale)
    cues = structure.cues(
        forms,
        condemned=condemned,
        reported=reported,
        quoted=quoted,
        clauses=[word.clause for word in found],
    )
    for cue in cues:
        values[cue.feature] = 1.0
    return Segment(found, values, cues)


def segments(text: str, *, whole_only: bool = False) -> list[Segment]:
    """The whole text as one segment, then each of its sentences when it has several (a
    long comment is as hateful as its worst sentence). Training uses the whole text only."""
    found = words(text)
    condemning, reporting = structure.counter_cues([word.form for word in found])
    flags = {
        "condemned": bool(condemning),
        "reported": bool(reporting),
        "quotes": _quoted(text),
    }
    result = [_segment(found, **flags)]
    if whole_only:
        return result
    spans = sentences(text)
    if len(spans) > 1:
        for start, end in spans:
            inside = [word for word in found if start <= word.start < end]
            if inside:
                result.append(_segment(inside, **flags))
    return result
