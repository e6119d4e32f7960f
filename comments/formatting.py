"""Comment text: plain text with paragraphs, quoted lines and automatic links; nothing else."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import Path

from django.utils.html import escape, urlize
from django.utils.safestring import SafeString, mark_safe

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


def has_control_characters(text: str) -> bool:
    return bool(_CONTROL.search(text))


def is_format_character(char: str) -> bool:
    """Invisible formatting (Unicode category Cf): zero-width spaces and joiners, soft
    hyphens, right-to-left overrides..."""
    return unicodedata.category(char) == "Cf"


def has_format_characters(text: str) -> bool:
    return any(is_format_character(char) for char in text)


def _is_emoji(char: str) -> bool:
    return unicodedata.category(char) in ("So", "Sk") or "\ufe00" <= char <= "\ufe0f"


def strip_format_characters(text: str) -> str:
    """``text`` without invisible formatting characters, except the zero-width joiner inside
    an emoji sequence (a family emoji keeps its family)."""
    if not has_format_characters(text):
        return text
    kept = []
    for index, char in enumerate(text):
        if is_format_character(char):
            between_emoji = (
                char == "\u200d"
                and 0 < index < len(text) - 1
                and _is_emoji(text[index - 1])
                and _is_emoji(text[index + 1])
            )
            if not between_emoji:
                continue
        kept.append(char)
    return "".join(kept)


# Letters from other scripts that look like Latin ones (after case folding), from Unicode's
# confusables list: what a word rule is matched against sees the Latin letter.
_CONFUSABLES = str.maketrans(
    {
        # Cyrillic
        0x0430: "a", 0x0432: "b", 0x0435: "e", 0x0451: "e", 0x04BB: "h", 0x0456: "i",
        0x0457: "i", 0x0458: "j", 0x043A: "k", 0x04CF: "l", 0x043C: "m", 0x043D: "h",
        0x043E: "o", 0x0440: "p", 0x0441: "c", 0x0442: "t", 0x0443: "y", 0x0445: "x",
        0x0455: "s", 0x0501: "d", 0x051B: "q", 0x051D: "w", 0x04AF: "y", 0x0261: "g",
        # Greek
        0x03B1: "a", 0x03B2: "b", 0x03B5: "e", 0x03B7: "n", 0x03B9: "i", 0x03BA: "k",
        0x03BD: "v", 0x03BF: "o", 0x03C1: "p", 0x03C4: "t", 0x03C5: "u", 0x03C7: "x",
        0x03F2: "c", 0x03F3: "j",
        # Latin look-alikes
        0x0131: "i", 0x0237: "j", 0x017F: "s", 0x2113: "l",
    }
)  # fmt: skip


def skeleton(text: str) -> str:
    """The language scorer's first fold (``comments.moderation.language.text``, whose model
    was trained on it, so it stays as it is): compatibility-composed (NFKC: fullwidth "spam"
    is "spam"), without formatting characters (a zero-width space or a soft hyphen inside a
    word), case-folded, with Cyrillic and Greek look-alike letters read as Latin. Word rules
    compare the stricter ``confusable_skeleton``."""
    text = unicodedata.normalize("NFKC", text)
    text = "".join(char for char in text if not is_format_character(char))
    return text.casefold().translate(_CONFUSABLES)


# Unicode's Default_Ignorable_Code_Point property (DerivedCoreProperties.txt, Unicode 17.0):
# code points a renderer shows as nothing when it does not support them, whatever their
# category (U+034F COMBINING GRAPHEME JOINER is a mark, U+3164 HANGUL FILLER a letter...).
_DEFAULT_IGNORABLE = (
    (0x00AD, 0x00AD), (0x034F, 0x034F), (0x061C, 0x061C), (0x115F, 0x1160),
    (0x17B4, 0x17B5), (0x180B, 0x180F), (0x200B, 0x200F), (0x202A, 0x202E),
    (0x2060, 0x206F), (0x3164, 0x3164), (0xFE00, 0xFE0F), (0xFEFF, 0xFEFF),
    (0xFFA0, 0xFFA0), (0xFFF0, 0xFFF8), (0x1BCA0, 0x1BCA3), (0x1D173, 0x1D17A),
    (0xE0000, 0xE0FFF),
)  # fmt: skip
_MARKS = frozenset({"Mn", "Mc", "Me"})
# Unicode's confusables data (UTS #39, version 17.0), kept beside this module with its licence.
CONFUSABLES_FILE = Path(__file__).resolve().parent / "unicode" / "confusables.txt"


@lru_cache(maxsize=1)
def _invisible() -> frozenset[str]:
    return frozenset(
        chr(point) for low, high in _DEFAULT_IGNORABLE for point in range(low, high + 1)
    )


@lru_cache(maxsize=1)
def confusables() -> dict[int, str]:
    """Unicode's map of each confusable character to its prototype (``confusables.txt``:
    Cyrillic o (U+043E), Armenian oh (U+0585), the digit zero and mathematical bold o all map
    to one prototype), as a ``str.translate`` table. Read once per process."""
    table: dict[int, str] = {}
    with CONFUSABLES_FILE.open(encoding="utf-8-sig") as lines:
        for line in lines:
            data = line.split("#", 1)[0].strip()
            if not data:
                continue
            source, target, *_rest = (field.strip() for field in data.split(";"))
            table[int(source, 16)] = "".join(chr(int(point, 16)) for point in target.split())
    return table


def _fold(text: str) -> str:
    """Decomposed (NFKD), without default-ignorable code points or combining marks, folded."""
    invisible = _invisible()
    text = unicodedata.normalize("NFKD", text)
    kept = "".join(
        char for char in text if char not in invisible and unicodedata.category(char) not in _MARKS
    )
    return kept.casefold()


def confusable_skeleton(text: str) -> str:
    """What word rules and repeat checks compare, so that no disguise of a word gets past
    them: compatibility-decomposed (fullwidth and mathematical letters are plain ones),
    without default-ignorable code points (zero-width characters, U+034F, variation
    selectors, fillers) or combining marks (accents, strike-throughs), case-folded, and with
    every character read as its prototype in Unicode's confusables data (UTS #39: Cyrillic,
    Greek or Armenian look-alikes, "1" for "l"). Skeletons are for comparing, never showing:
    "m" and "rn" share one."""
    table = confusables()
    return _fold(_fold(text).translate(table)).translate(table)


def normalise(text: str) -> str:
    """Unify line endings and trim; the stored body is what the reader typed, otherwise."""
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


def _inline(lines: list[str]) -> str:
    html = urlize("\n".join(lines), nofollow=True, autoescape=True)
    html = html.replace('rel="nofollow"', 'rel="nofollow ugc noopener"')
    # urlize links email addresses without a rel: mark those as reader-supplied too.
    html = html.replace('<a href="mailto:', '<a rel="nofollow ugc noopener" href="mailto:')
    return html.replace("\n", "<br>")


@lru_cache(maxsize=2048)
def render(text: str) -> SafeString:
    """Paragraphs on blank lines, ``>`` lines as quotations, links made clickable (and marked
    ``nofollow ugc``); every other character is escaped. Remembered per process (the result
    depends on the text alone): a busy page shows the same comments to reader after reader,
    and urlize is slow."""
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
