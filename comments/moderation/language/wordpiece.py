"""BERT's uncased WordPiece tokenizer in pure Python, as ``tokenizer.json`` of
all-MiniLM-L6-v2 describes it (``BertNormalizer`` with lowercasing and accent stripping,
``BertPreTokenizer``, greedy longest-match WordPiece with ``##`` continuations), so the
encoder needs no tokenizer library. Checked to give the reference tokenizer's ids on every
training text (docs/moderation-model.md).
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from pathlib import Path

CLS, SEP, UNK = "[CLS]", "[SEP]", "[UNK]"
MAX_WORD = 100  # characters; a longer word is [UNK]


def _is_whitespace(char: str) -> bool:
    return char in " \t\n\r" or unicodedata.category(char) == "Zs"


def _is_control(char: str) -> bool:
    return char not in "\t\n\r" and unicodedata.category(char).startswith("C")


def _is_punctuation(char: str) -> bool:
    code = ord(char)
    if 33 <= code <= 47 or 58 <= code <= 64 or 91 <= code <= 96 or 123 <= code <= 126:
        return True
    return unicodedata.category(char).startswith("P")


def _is_cjk(code: int) -> bool:
    return (
        0x4E00 <= code <= 0x9FFF
        or 0x3400 <= code <= 0x4DBF
        or 0x20000 <= code <= 0x2A6DF
        or 0x2A700 <= code <= 0x2B73F
        or 0x2B740 <= code <= 0x2B81F
        or 0x2B820 <= code <= 0x2CEAF
        or 0xF900 <= code <= 0xFAFF
        or 0x2F800 <= code <= 0x2FA1F
    )


def normalise(text: str) -> str:
    out = []
    for char in text:
        code = ord(char)
        if code == 0 or code == 0xFFFD or _is_control(char):
            continue
        if _is_whitespace(char):
            out.append(" ")
        elif _is_cjk(code):
            out.append(f" {char} ")
        else:
            out.append(char)
    text = unicodedata.normalize("NFD", "".join(out))
    text = "".join(char for char in text if unicodedata.category(char) != "Mn")
    return text.lower()


def pre_tokenize(text: str) -> list[str]:
    words: list[str] = []
    current: list[str] = []
    for char in text:
        if _is_whitespace(char):
            if current:
                words.append("".join(current))
                current = []
        elif _is_punctuation(char):
            if current:
                words.append("".join(current))
                current = []
            words.append(char)
        else:
            current.append(char)
    if current:
        words.append("".join(current))
    return words


class WordPiece:
    def __init__(self, vocab: Path) -> None:
        tokens = vocab.read_text(encoding="utf-8").split("\n")
        if tokens and tokens[-1] == "":
            tokens.pop()
        self.vocab = {token: index for index, token in enumerate(tokens)}
        self.cls, self.sep, self.unk = self.vocab[CLS], self.vocab[SEP], self.vocab[UNK]
        self.word = lru_cache(maxsize=50_000)(self._word)

    def _word(self, word: str) -> tuple[int, ...]:
        if len(word) > MAX_WORD:
            return (self.unk,)
        vocab = self.vocab
        pieces: list[int] = []
        start = 0
        while start < len(word):
            end = len(word)
            found = None
            while start < end:
                piece = word[start:end] if start == 0 else "##" + word[start:end]
                if piece in vocab:
                    found = vocab[piece]
                    break
                end -= 1
            if found is None:
                return (self.unk,)
            pieces.append(found)
            start = end
        return tuple(pieces)

    def ids(self, text: str, max_tokens: int, *, unknown: bool = True) -> list[int]:
        """[CLS] + the text's word pieces, cut to fit, + [SEP]; without the words it has no
        pieces for ([UNK]: emoji, symbols, most scripts but Latin) when ``unknown`` is
        false."""
        ids = [self.cls]
        room = max_tokens - 1
        for word in pre_tokenize(normalise(text)):
            pieces = self.word(word)
            if not unknown and pieces == (self.unk,):
                continue
            ids.extend(pieces)
            if len(ids) >= room:
                del ids[room:]
                break
        ids.append(self.sep)
        return ids
