"""The shipped model: one logistic regression per category over ``features``, stored as a
gzipped JSON file beside this module, scored in pure Python.

File format (``model.json.gz``): ``categories``; ``features`` (names); ``weights`` (per
category, integers: the weight times ``scale``, in the order of ``features``); ``bias`` and
``calibration`` (Platt scaling ``a``, ``b``: probability = sigmoid(a * logit + b)) per
category; ``thresholds`` (hold, refuse) per category; ``alone_thresholds`` (the same, for the
model scoring alone; see ``Model.alone_onto``); ``trained`` (what it was trained on).
"""

from __future__ import annotations

import gzip
import json
import math
from array import array
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .features import Segment, segments
from .lexicon import terms

PATH = Path(__file__).resolve().parent / "data" / "model.json.gz"
REASONS = 3  # words or phrases given per category
REASONS_FROM = 0.15  # below this probability a category has nothing worth explaining
MIN_REASON = 0.4  # a contribution to the logit below this explains nothing
MIN_SHARE = 0.25  # nor one below this share of the strongest
MIN_WORD = 0.3  # a word joins a phrase with at least this much
MAX_PHRASE = 5  # words; a longer run of raising words is offered word by word
# Words that explain nothing on their own (they may still be part of a phrase).
FUNCTION_WORDS = terms(
    "a an the and or but of to in on at for with by from as is are was were be been am it "
    "its this that these those they them their he she his her we us our you your i me my "
    "not no do does did have has had will would should can could so just all"
)


def _logit(probability: float) -> float:
    probability = min(max(probability, 1e-9), 1 - 1e-9)
    return math.log(probability / (1 - probability))


def sigmoid(value: float) -> float:
    if value >= 0:
        return 1.0 / (1.0 + math.exp(-value))
    exp = math.exp(value)
    return exp / (1.0 + exp)


@dataclass
class Model:
    categories: tuple[str, ...]
    index: dict[str, int]
    weights: dict[str, array]
    bias: dict[str, float]
    calibration: dict[str, tuple[float, float]]
    thresholds: dict[str, tuple[float | None, float | None]]
    trained: dict[str, Any]
    # The thresholds the same rule sets on this model's own scores, when it scores alone
    # (``thresholds`` are the combination's, once there is one): see ``alone_onto``.
    alone_thresholds: dict[str, tuple[float | None, float | None]] = field(default_factory=dict)

    @classmethod
    def read(cls, path: Path = PATH) -> Model:
        with gzip.open(path, "rt", encoding="utf-8") as file:
            data = json.load(file)
        return cls.from_dict(data)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Model:
        scale = float(data["scale"])
        categories = tuple(data["categories"])
        return cls(
            categories=categories,
            index={name: position for position, name in enumerate(data["features"])},
            weights={
                name: array("f", (value / scale for value in data["weights"][name]))
                for name in categories
            },
            bias={name: float(data["bias"][name]) for name in categories},
            calibration={name: tuple(data["calibration"][name]) for name in categories},
            thresholds={name: tuple(data["thresholds"][name]) for name in categories},
            trained=data.get("trained", {}),
            alone_thresholds={
                name: tuple(pair) for name, pair in data.get("alone_thresholds", {}).items()
            },
        )

    def to_dict(self, scale: int = 1000) -> dict[str, Any]:
        features = sorted(self.index, key=self.index.__getitem__)
        return {
            "categories": list(self.categories),
            "scale": scale,
            "features": features,
            "weights": {
                name: [round(float(weight) * scale) for weight in self.weights[name]]
                for name in self.categories
            },
            "bias": self.bias,
            "calibration": {name: list(pair) for name, pair in self.calibration.items()},
            "thresholds": {name: list(pair) for name, pair in self.thresholds.items()},
            "alone_thresholds": {name: list(pair) for name, pair in self.alone_thresholds.items()},
            "trained": self.trained,
        }

    def write(self, folder: Path = PATH.parent) -> Path:
        """Write the model, and its thresholds beside it (``thresholds.json``, which
        ``DEFAULT_THRESHOLDS`` reads), into ``folder``; returns the model's path."""
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / PATH.name
        with gzip.open(path, "wt", encoding="utf-8", compresslevel=9) as file:
            json.dump(self.to_dict(), file, separators=(",", ":"))
        thresholds = {name: list(pair) for name, pair in self.thresholds.items()}
        (folder / "thresholds.json").write_text(json.dumps(thresholds, indent=2) + "\n")
        return path

    def alone_onto(self, probability: float, category: str) -> float:
        """This model's own probability, moved onto the scale its ``thresholds`` are set on:
        its own hold and refuse thresholds land on those; between them the logit is
        stretched in proportion, below and above it is shifted. So a text it scores alone
        (one or two words, which the encoder does not read; or every text, without the
        encoder installed) is held when the model alone would hold it by the same rule.
        Unchanged without ``alone_thresholds`` (a model that was never combined)."""
        alone = self.alone_thresholds.get(category)
        if not alone or alone[0] is None or self.thresholds[category][0] is None:
            return probability
        points = [(alone[0], self.thresholds[category][0])]
        if alone[1] is not None and self.thresholds[category][1] is not None:
            points.append((alone[1], self.thresholds[category][1]))
        x = _logit(probability)
        (x0, y0), (x1, y1) = [(_logit(a), _logit(b)) for a, b in (points[0], points[-1])]
        if len(points) == 1 or x <= x0 or x1 <= x0:
            return sigmoid(x - x0 + y0)
        if x >= x1:
            return sigmoid(x - x1 + y1)
        return sigmoid(y0 + (x - x0) * (y1 - y0) / (x1 - x0))

    # --- Scoring ---------------------------------------------------------------------------

    def logit(self, segment: Segment, category: str) -> float:
        return self.logits(segment)[category]

    def logits(self, segment: Segment) -> dict[str, float]:
        """Every category's logit for one segment (the features looked up once)."""
        index = self.index
        hits = [
            (position, value)
            for feature, value in segment.values.items()
            if (position := index.get(feature)) is not None
        ]
        result = {}
        for category in self.categories:
            weights = self.weights[category]
            result[category] = self.bias[category] + sum(
                weights[position] * value for position, value in hits
            )
        return result

    def probability(self, logit: float, category: str) -> float:
        a, b = self.calibration[category]
        return sigmoid(a * logit + b)

    def score(self, text: str) -> tuple[dict[str, float], dict[str, list[str]]]:
        """Per category, the probability of the worst segment, and the words or phrases of
        the original text that raised it most (none for a category scored below
        ``REASONS_FROM``)."""
        parts = segments(text)
        scores: dict[str, float] = {}
        reasons: dict[str, list[str]] = {}
        every = [self.logits(part) for part in parts]
        for category in self.categories:
            logits = [each[category] for each in every]
            worst = max(range(len(parts)), key=logits.__getitem__)
            scores[category] = self.probability(logits[worst], category)
            explained = scores[category] >= REASONS_FROM
            reasons[category] = self.explain(text, parts[worst], category) if explained else []
        return scores, reasons

    def explain(self, text: str, segment: Segment, category: str) -> list[str]:
        """The words and phrases with the largest positive contributions to the logit.

        A feature's contribution is shared among the words it came from; a structural cue
        (a group and what is said of it) is offered as one phrase. Neighbouring words that
        both raise the score are joined into a phrase.
        """
        weights = self.weights[category]
        sources = segment.sources()
        per_word: dict[int, float] = {}
        phrases: list[tuple[float, int, int]] = []
        for feature, value in segment.values.items():
            position = self.index.get(feature)
            if position is None:
                continue
            contribution = weights[position] * value
            where = sources.get(feature, ())
            if contribution <= 0 or not where:
                continue
            if feature.startswith("s:") and len(where) > 1:
                start = segment.words[min(where)].start
                end = segment.words[max(where)].end
                if end - start <= 80:
                    phrases.append((contribution, start, end))
                    continue
            for word in where:
                per_word[word] = per_word.get(word, 0.0) + contribution / len(where)
        strong = sorted(index for index, value in per_word.items() if value >= MIN_WORD)
        runs: list[list[int]] = []
        for index in strong:
            if runs and runs[-1][-1] == index - 1:
                runs[-1].append(index)
            else:
                runs.append([index])
        words = segment.words
        for run in runs:
            if len(run) > MAX_PHRASE:
                phrases.extend((per_word[i], words[i].start, words[i].end) for i in run)
            else:
                phrases.append(
                    (sum(per_word[i] for i in run), words[run[0]].start, words[run[-1]].end)
                )
        phrases.sort(key=lambda item: -item[0])
        floor = max(MIN_REASON, MIN_SHARE * phrases[0][0]) if phrases else MIN_REASON
        phrases = [item for item in phrases if item[0] >= floor]
        reasons: list[str] = []
        for _, start, end in phrases:
            phrase = " ".join(text[start:end].split())
            if phrase.casefold().strip(".,;:!?\"'") in FUNCTION_WORDS:
                continue
            if phrase and not any(phrase in kept or kept in phrase for kept in reasons):
                reasons.append(phrase)
            if len(reasons) == REASONS:
                break
        return reasons
