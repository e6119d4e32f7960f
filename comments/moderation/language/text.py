"""Words as the scorer reads them: each word of the original text, with where it stands, and
its folded form, so that look-alike spellings score like the plain word and every feature can
be traced back to the words the reader actually typed.

Folding builds on ``comments.formatting.skeleton`` (compatibility forms, invisible formatting
characters, case, Cyrillic and Greek look-alikes) and adds what a word rule does not need but a
scorer does: combining marks dropped ("j̈ews"), Armenian, Cherokee and small-capital
look-alikes, letters with a stroke ("đ", "ø"), leetspeak inside words
("j3ws", "v3rm1n", "$cum"), letters stretched ("jeeeews", "fagggot"), and words spelled out
letter by letter ("k i k e").
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from comments.formatting import skeleton

from .lexicon import MASKABLE

# Letters of other scripts that pass for Latin ones (Unicode's confusables list), beyond the
# Cyrillic and Greek ones ``skeleton`` reads: Armenian, Cherokee, small capitals, and Latin
# letters with a stroke that compatibility decomposition leaves alone.
_LOOK_ALIKES = str.maketrans(
    {
        # Armenian
        0x0585: "o", 0x057D: "u", 0x0570: "h", 0x0578: "n", 0x0563: "q", 0x0566: "q",
        0x0561: "w", 0x0575: "j", 0x0581: "g", 0x0584: "p", 0x0572: "n", 0x0533: "g",
        0x054F: "s", 0x0555: "o", 0x054D: "u", 0x0544: "u", 0x0545: "3",
        # Cherokee
        0x13AA: "a", 0x13F4: "b", 0x13DF: "c", 0x13A0: "d", 0x13AC: "e", 0x13C0: "g",
        0x13BB: "h", 0x13AB: "j", 0x13E6: "k", 0x13DE: "l", 0x13B7: "m", 0x13E2: "p",
        0x13DA: "s", 0x13A2: "t", 0x13D9: "v", 0x13B3: "w", 0x13C3: "z", 0x13A5: "i",
        0x13D2: "r",
        # Small capitals
        0x1D00: "a", 0x0299: "b", 0x1D04: "c", 0x1D05: "d", 0x1D07: "e", 0xA730: "f",
        0x0262: "g", 0x029C: "h", 0x026A: "i", 0x1D0A: "j", 0x1D0B: "k", 0x029F: "l",
        0x1D0D: "m", 0x0274: "n", 0x1D0F: "o", 0x1D18: "p", 0x0280: "r", 0xA731: "s",
        0x1D1B: "t", 0x1D1C: "u", 0x1D20: "v", 0x1D21: "w", 0x028F: "y", 0x1D22: "z",
        # Latin with a stroke
        0x0111: "d", 0x0142: "l", 0x00F8: "o", 0x0127: "h", 0x0167: "t", 0x0180: "b",
        0x0268: "i", 0x0289: "u", 0x01B6: "z",
    }
)  # fmt: skip

# Digits and symbols read as letters, inside a word that has at least one letter.
_LEET = str.maketrans(
    {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b", "9": "g",
     "@": "a", "$": "s", "!": "i", "|": "l", "€": "e", "£": "l"}
)  # fmt: skip

# A word: letters, digits, marks and invisible formatting characters, with the symbols people
# put inside words to dodge a filter.
_WORD = re.compile(
    r"[\w\u0300-\u036f\u0483-\u0489\u0591-\u05bd\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff"
    r"\ufe20-\ufe2f\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff@$*!|'\u2019€£-]+"
)
_EDGE = "!'\u2019*-|"
_STRETCHED_VOWEL = re.compile(r"([aeiouy])\1{2,}")  # "jeeeews": no word has three in a row
_STRETCHED = re.compile(r"(.)\1{2,}")  # "fagggot": two stay two
_MENTION = re.compile(r"@\w{2,}")
_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_CLAUSE_BREAK = re.compile(r"[,;:.!?()\u2013\u2014]")
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+|\n+")


@dataclass(frozen=True)
class Word:
    """One word: its folded form, and where it stands in the original text."""

    form: str
    start: int
    end: int
    clause: int = 0  # which clause of the text (punctuation between words starts a new one)


@lru_cache(maxsize=65_536)  # the same words come back comment after comment
def fold_word(word: str) -> str:
    """The form a word is compared in (see the module's docstring)."""
    word = skeleton(word)
    word = unicodedata.normalize("NFKD", word)
    word = "".join(char for char in word if not unicodedata.combining(char))
    word = word.translate(_LOOK_ALIKES)
    if any(char.isalpha() for char in word):
        word = word.translate(_LEET)
        if "*" in word or "_" in word:
            word = _unmask(word)
    word = "".join(char for char in word if char.isalnum())
    return _STRETCHED.sub(r"\1\1", _STRETCHED_VOWEL.sub(r"\1", word))


_MASK = re.compile(r"[*_]+")


def _unmask(word: str) -> str:
    """A slur or swear word with letters masked ("k*ke", "f__k") as the word it masks;
    any other word as it is."""
    pieces = _MASK.split(word)
    masks = _MASK.findall(word)
    if sum(map(len, masks)) * 2 > len(word):  # mostly masked: too little to go on
        return word
    pattern = "".join(
        re.escape(piece) + (f"[a-z]{{1,{len(masks[i]) + 1}}}" if i < len(masks) else "")
        for i, piece in enumerate(pieces)
    )
    matcher = re.compile(pattern)
    for candidate in sorted(MASKABLE):
        if matcher.fullmatch(candidate):
            return candidate
    return word


def words(text: str) -> list[Word]:
    """The words of ``text`` in order, folded; mentions and links left out."""
    skipped = [match.span() for match in _URL.finditer(text)]
    found: list[Word] = []
    clause = 0
    for match in _WORD.finditer(text):
        start, end = match.span()
        raw = match.group()
        if any(a <= start < b for a, b in skipped) or _MENTION.fullmatch(raw):
            continue
        stripped = raw.strip(_EDGE)
        if not stripped:
            continue
        start += raw.index(stripped)
        end = start + len(stripped)
        form = fold_word(stripped)
        if form:
            if found and _CLAUSE_BREAK.search(text, found[-1].end, start):
                clause += 1
            found.append(Word(form, start, end, clause))
    return _join_spelled_out(found)


def _join_spelled_out(found: list[Word]) -> list[Word]:
    """Three or more one-letter words in a row ("k i k e") are read as one word."""
    joined: list[Word] = []
    run: list[Word] = []
    for word in [*found, None]:
        if word is not None and len(word.form) == 1 and word.form.isalpha():
            run.append(word)
            continue
        if len(run) >= 3:
            form = "".join(w.form for w in run)
            joined.append(Word(form, run[0].start, run[-1].end, run[0].clause))
        else:
            joined.extend(run)
        run = []
        if word is not None:
            joined.append(word)
    return joined


def sentences(text: str) -> list[tuple[int, int]]:
    """Spans of the text's sentences (and lines); very short ones join the next."""
    spans: list[tuple[int, int]] = []
    position = 0
    for match in _SENTENCE_END.finditer(text):
        spans.append((position, match.start()))
        position = match.end()
    spans.append((position, len(text)))
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if not text[start:end].strip():
            continue
        if merged and len(text[merged[-1][0] : merged[-1][1]].split()) < 4:
            merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged or [(0, len(text))]
