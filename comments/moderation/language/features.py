"""The features the model weighs, the same for training and scoring: folded words, pairs of
words, character n-grams of each folded word, and the structural cues of ``structure``.

Each feature remembers which words of the original text it came from, so that a score can be
explained in the reader's own words.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from . import structure
from .text import Word, sentences, words

CHAR_NGRAMS = (3, 4, 5)


@dataclass(frozen=True)
class Segment:
    """One scored stretch of a comment: its features (name → value) and, per feature, the
    indices of the words in ``words`` it came from."""

    words: list[Word]
    values: dict[str, float]
    sources: dict[str, tuple[int, ...]]


_QUOTES = re.compile(
    r'"[^"]{3,300}"|\u201c[^\u201d]{3,300}\u201d|\u00ab[^\u00bb]{3,300}\u00bb|\u201e[^\u201c\u201d]{3,300}[\u201c\u201d]'
)


def _quoted(text: str) -> list[tuple[int, int]]:
    return [match.span() for match in _QUOTES.finditer(text)]


def _segment(
    found: list[Word], *, condemned: bool, reported: bool, quotes: list[tuple[int, int]]
) -> Segment:
    forms = [word.form for word in found]
    quoted = frozenset(
        index
        for index, word in enumerate(found)
        if any(start <= word.start < end for start, end in quotes)
    )
    sources: dict[str, tuple[int, ...]] = {}
    for index, form in enumerate(forms):
        sources.setdefault(f"w:{form}", (index,))
        if index:
            sources.setdefault(f"b:{forms[index - 1]} {form}", (index - 1, index))
        padded = f" {form} "
        for size in CHAR_NGRAMS:
            for start in range(len(padded) - size + 1):
                sources.setdefault(f"c:{padded[start : start + size]}", (index,))
    # Text features share one unit of length (an L2-normalised bag), so a long sentence
    # is not worse for being long; structural cues count in full wherever they appear.
    scale = 1.0 / math.sqrt(len(sources)) if sources else 0.0
    values = dict.fromkeys(sources, scale)
    for cue in structure.cues(forms, condemned=condemned, reported=reported, quoted=quoted):
        values[cue.feature] = 1.0
        sources[cue.feature] = cue.indices
    return Segment(found, values, sources)


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
