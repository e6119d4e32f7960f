"""The scorer in use: the linear model (``model.py``) and a sentence encoder
(``encoder.py``, all-MiniLM-L6-v2 in numpy) with a logistic-regression head per category,
combined by a small stacked logistic regression per category.

The linear model reads words, look-alike spellings, slurs and the structural cues (a group
and what is said of it, negated, condemned, quoted, reported); the encoder reads meaning —
calm contempt, conspiracy and dehumanising metaphors without a telltale word, even a group's
name ("those people", "the same families") — that a bag of words misses. The encoder reads
one stretch of each comment: the whole comment when it is short enough (``WHOLE_WORDS``),
else its sentence that the linear model scores worst; with its words folded as the linear
model reads them (so look-alike spellings embed like the plain words).

Stacked features per category: the linear model's logit (its worst segment), the head's
logit on the embedding, whether the comment is a hard case (a negated, condemned, quoted or
reported cue: counter-speech and negation), and the head's logit when it is one — so
counter-speech and negation can pull the embedding's score down, as they pull the linear
one. A hard case is never refused automatically: its score is kept below the refuse
threshold it was calibrated with (held for a person at worst).

File format (``data/embedding.json``): ``heads`` (per category ``weights`` and ``bias``; for
a head with a hidden layer also ``hidden_weights``, 384 rows of its width, and
``hidden_bias``: the head is then relu(embedding · hidden_weights + hidden_bias) · weights +
bias), ``stack`` (per category the five coefficients: intercept, linear logit, head logit,
hard case, head logit times hard case), ``trained``.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .features import Segment, segments
from .model import REASONS_FROM, Model, sigmoid

logger = logging.getLogger(__name__)
PATH = Path(__file__).resolve().parent / "data" / "embedding.json"
HARD_PREFIXES = ("s:negated_", "s:condemned", "s:quoted_", "s:reported")
# Fewer words than this are left to the linear model: one or two words say what a comment is
# about, not what it says of anyone, and the encoder then reads a topic ("Middle." came out
# near "the Middle East") where a slur, which the linear model knows, is all there is to find.
ENCODER_MIN_WORDS = 3
WHOLE_WORDS = 22  # about 32 word pieces with punctuation: longer comments give one sentence
STACK_FEATURES = ("intercept", "linear", "embedding", "hard_case", "embedding_if_hard")


def hard_case(segment: Segment) -> bool:
    return any(cue.feature.startswith(HARD_PREFIXES) for cue in segment.cues)


def stack_row(linear: float, embedding: float, hard: bool) -> list[float]:
    return [1.0, linear, embedding, float(hard), embedding * hard]


@dataclass
class Heads:
    weights: dict[str, np.ndarray]
    bias: dict[str, float]
    stack: dict[str, list[float]]
    trained: dict[str, Any] = field(default_factory=dict)
    # Per category with a hidden layer: its weights (384 by width) and biases (width).
    hidden: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)

    @classmethod
    def read(cls, path: Path = PATH) -> Heads:
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls(
            weights={
                name: np.asarray(head["weights"], dtype=np.float32)
                for name, head in data["heads"].items()
            },
            bias={name: float(head["bias"]) for name, head in data["heads"].items()},
            stack={name: [float(v) for v in values] for name, values in data["stack"].items()},
            trained=data.get("trained", {}),
            hidden={
                name: (
                    np.asarray(head["hidden_weights"], dtype=np.float32),
                    np.asarray(head["hidden_bias"], dtype=np.float32),
                )
                for name, head in data["heads"].items()
                if "hidden_weights" in head
            },
        )

    def _head(self, name: str) -> dict[str, Any]:
        head: dict[str, Any] = {
            "weights": [round(float(v), 5) for v in self.weights[name]],
            "bias": round(self.bias[name], 5),
        }
        if name in self.hidden:
            weights, bias = self.hidden[name]
            head["hidden_weights"] = [[round(float(v), 4) for v in row] for row in weights]
            head["hidden_bias"] = [round(float(v), 5) for v in bias]
        return head

    def write(self, folder: Path = PATH.parent) -> Path:
        path = folder / PATH.name
        data = {
            "heads": {name: self._head(name) for name in self.weights},
            "stack": {name: [round(v, 5) for v in values] for name, values in self.stack.items()},
            "stack_features": list(STACK_FEATURES),
            "trained": self.trained,
        }
        path.write_text(json.dumps(data, separators=(",", ":")) + "\n", encoding="utf-8")
        return path

    def logits(self, embedding: np.ndarray) -> dict[str, float]:
        result = {}
        for name, weights in self.weights.items():
            features = embedding
            if name in self.hidden:
                hidden_weights, hidden_bias = self.hidden[name]
                features = np.maximum(embedding @ hidden_weights + hidden_bias, 0)
            result[name] = float(features @ weights) + self.bias[name]
        return result

    def combine(self, category: str, linear: float, embedding: float, hard: bool) -> float:
        row = stack_row(linear, embedding, hard)
        return sum(c * v for c, v in zip(self.stack[category], row, strict=True))


def folded(text: str, words: list) -> str:
    """The text between the first and last of ``words`` with each word replaced by its
    folded form (look-alike letters, leetspeak, stretched letters and masks undone, as the
    linear model reads them), punctuation and spacing kept."""
    if not words:
        return text
    pieces = []
    at = words[0].start
    for word in words:
        pieces.append(text[at : word.start])
        pieces.append(word.form)
        at = word.end
    return "".join(pieces)


def embedded_text(text: str, parts: list[Segment], linear_hate: list[float]) -> str:
    """The stretch of the comment the encoder reads, folded: the whole comment when its words
    fit in ``encoder.MAX_TOKENS`` (roughly), else its sentence the linear model scores
    worst."""
    chosen = parts[0]
    if len(parts) > 1 and len(chosen.words) > WHOLE_WORDS:
        chosen = parts[max(range(1, len(parts)), key=linear_hate.__getitem__)]
        return folded(text, chosen.words)
    if not chosen.words:
        return text
    # The whole comment: what stands before its first word and after its last (emoji,
    # symbols: the encoder reads them by name) is kept.
    return text[: chosen.words[0].start] + folded(text, chosen.words) + text[chosen.words[-1].end :]


class Scorer:
    """The linear model, and the encoder with its heads when they are available."""

    def __init__(self, linear: Model, heads: Heads | None, encoder: Any | None) -> None:
        self.linear = linear
        self.heads = heads
        self.encoder = encoder

    @classmethod
    def read(cls) -> Scorer:
        """The shipped models. Without the encoder's weights (``requirements-models.txt``
        not installed) or its heads, the linear model scores alone, and a warning says so."""
        from .encoder import Encoder

        linear = Model.read()
        try:
            heads = Heads.read()
            encoder = Encoder.load()
        except (ImportError, OSError) as error:
            logger.warning("language scorer: linear model only, no sentence encoder (%s)", error)
            return cls(linear, None, None)
        return cls(linear, heads, encoder)

    @property
    def thresholds(self) -> dict[str, tuple[float | None, float | None]]:
        return self.linear.thresholds

    def parts(self, text: str) -> tuple[list[Segment], dict[str, list[float]]]:
        parts = segments(text)
        every = [self.linear.logits(part) for part in parts]
        return parts, {c: [each[c] for each in every] for c in self.linear.categories}

    def raw(
        self, text: str
    ) -> tuple[list[Segment], dict[str, list[float]], dict[str, float], bool]:
        """The segments, the linear logits per segment, the heads' logits (empty when the
        encoder did not run) and whether the comment is a hard case."""
        parts, logits = self.parts(text)
        heads: dict[str, float] = {}
        enough = sum(len(part.words) for part in parts) >= ENCODER_MIN_WORDS
        if self.heads is not None and self.encoder is not None and enough:
            stretch = embedded_text(text, parts, logits[self.linear.categories[0]])
            heads = self.heads.logits(self.encoder.embed(stretch))
        return parts, logits, heads, hard_case(parts[0])

    def probabilities(
        self, logits: dict[str, list[float]], heads: dict[str, float], hard: bool
    ) -> dict[str, float]:
        scores = {}
        for category in self.linear.categories:
            linear = max(logits[category])
            if heads and self.heads is not None:
                probability = sigmoid(self.heads.combine(category, linear, heads[category], hard))
            else:  # the linear model alone: onto the combination's scale
                probability = self.linear.alone_onto(
                    self.linear.probability(linear, category), category
                )
            refuse = self.linear.thresholds[category][1]
            if hard and refuse is not None:
                probability = min(probability, refuse - 0.01)
            scores[category] = probability
        return scores

    def score(self, text: str) -> tuple[dict[str, float], dict[str, list[str]]]:
        parts, logits, heads, hard = self.raw(text)
        scores = self.probabilities(logits, heads, hard)
        reasons = {}
        for category in self.linear.categories:
            each = logits[category]
            worst = max(range(len(parts)), key=each.__getitem__)
            reasons[category] = (
                self.linear.explain(text, parts[worst], category)
                if scores[category] >= REASONS_FROM
                else []
            )
        return scores, reasons
