"""From a model's raw scores to probabilities and thresholds, in pure Python, so that a site
can recalibrate the shipped model on its moderators' labels without the training data or the
training dependencies.

- **Platt scaling**: probability = sigmoid(a * logit + b), fitted by Newton's method on
  labelled examples (with Platt's smoothed targets, so a handful of labels cannot push it to
  certainty).
- **Thresholds** per category: *hold* at the lowest score that holds at most ``CIVIL_HOLD`` of
  the examples labelled neither hate nor offensive; *refuse* at the lowest score above which
  at least ``REFUSE_PRECISION`` of examples are labelled with the category and no
  counter-speech, negation or quotation example (``kind``) is refused — those are held at
  worst — and never below ``REFUSE_AT_LEAST``. Offensive language is never refused
  automatically (held for a person).
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from pathlib import Path

from . import HATE, OFFENSIVE
from .features import segments
from .labels import Example, read_csv
from .model import Model, sigmoid

CIVIL_HOLD = {HATE: 0.06, OFFENSIVE: 0.01}
REFUSE_PRECISION = 0.97
REFUSE_AT_LEAST = 0.9  # refusing without a person is for what the model is surest of
HARD_CASES = frozenset({"counter", "negation", "quote", "reclaimed"})
DATA = Path(__file__).resolve().parent / "data"
OWN_DEV = DATA / "own_dev.csv"
# Comments written for the project in one go, each file both training and dev: a fifth of
# each, chosen by a hash of the text, is kept for dev (``written``).
WRITTEN = DATA / "written"
WRITTEN_DEV_SHARE = 0.2
# Comments written apart, by writers who saw neither the training data nor the evaluation set,
# to choose between candidate models: never trained on, and not used for thresholds.
SELECTION = DATA / "selection"
MIN_LABELS = 20  # fewer labels than this (or one class only): keep the calibration as it is


def is_written_dev(text: str) -> bool:
    digest = hashlib.sha256(b"written:" + text.strip().lower().encode()).digest()
    return digest[0] / 256 < WRITTEN_DEV_SHARE


def written(*, dev: bool) -> list[Example]:
    """The project's written examples (``data/written/*.csv``) of the dev part, or of the
    training part."""
    return [
        example
        for path in sorted(WRITTEN.glob("*.csv"))
        for example in read_csv(path, source="own")
        if is_written_dev(example.text) == dev
    ]


def selection() -> list[Example]:
    """The selection set (``data/selection/*.csv``): for comparing trained models only."""
    return [
        example
        for path in sorted(SELECTION.glob("*.csv"))
        for example in read_csv(path, source="selection")
    ]


def own_dev() -> list[Example]:
    """The project's own dev examples (``data/own_dev.csv`` and the dev part of
    ``data/written/``), which thresholds are set on."""
    return read_csv(OWN_DEV, source="own") + written(dev=True)


def platt(logits: Sequence[float], labels: Sequence[int]) -> tuple[float, float]:
    """Fit (a, b) so that sigmoid(a * logit + b) matches the labels (Platt, 1999)."""
    positives = sum(labels)
    negatives = len(labels) - positives
    high, low = (positives + 1) / (positives + 2), 1 / (negatives + 2)
    targets = [high if label else low for label in labels]
    a, b = 1.0, 0.0
    for _ in range(100):
        grad_a = grad_b = h_aa = h_ab = h_bb = 0.0
        for logit, target in zip(logits, targets, strict=True):
            p = sigmoid(a * logit + b)
            diff = p - target
            weight = max(p * (1 - p), 1e-12)
            grad_a += diff * logit
            grad_b += diff
            h_aa += weight * logit * logit
            h_ab += weight * logit
            h_bb += weight
        h_aa += 1e-9
        h_bb += 1e-9
        det = h_aa * h_bb - h_ab * h_ab
        if abs(det) < 1e-18:
            break
        step_a = (h_bb * grad_a - h_ab * grad_b) / det
        step_b = (h_aa * grad_b - h_ab * grad_a) / det
        a, b = a - step_a, b - step_b
        if abs(step_a) + abs(step_b) < 1e-9:
            break
    return a, b


def _round_up(value: float) -> float:
    return min(0.99, math.ceil(value * 100) / 100)


def thresholds(
    category: str, scored: Sequence[tuple[float, Example]]
) -> tuple[float | None, float | None]:
    """Hold and refuse thresholds for one category from scored, labelled examples."""
    civil = sorted(
        (probability for probability, example in scored if not (example.hate or example.offensive)),
        reverse=True,
    )
    if civil:
        allowed = int(CIVIL_HOLD[category] * len(civil))
        hold = _round_up(civil[allowed] + 1e-6) if allowed < len(civil) else 0.5
    else:
        hold = 0.5
    hold = max(hold, 0.2)
    if category == OFFENSIVE:
        return hold, None
    refuse = 0.99
    ranked = sorted(scored, key=lambda item: -item[0])
    for cut in sorted({_round_up(p) for p, _ in scored if p > hold}, reverse=True):
        above = [example for p, example in ranked if p >= cut]
        if not above:
            continue
        precision = sum(example.label(category) for example in above) / len(above)
        hard = any(example.kind in HARD_CASES and not example.label(category) for example in above)
        if precision < REFUSE_PRECISION or hard:
            break
        refuse = cut
    return hold, max(refuse, REFUSE_AT_LEAST)


def recalibrate(model: Model, examples: Sequence[Example]) -> dict[str, dict[str, object]]:
    """Refit ``model``'s calibration and thresholds on labelled examples, in place. Returns,
    per category, what changed (and why a calibration was kept)."""
    report: dict[str, dict[str, object]] = {}
    parts = [segments(example.text) for example in examples]
    for category in model.categories:
        logits = [max(model.logit(part, category) for part in each) for each in parts]
        labels = [example.label(category) for example in examples]
        before = model.calibration[category]
        if len(examples) >= MIN_LABELS and 0 < sum(labels) < len(labels):
            model.calibration[category] = platt(logits, labels)
            note = "refitted"
        else:
            note = f"kept (needs {MIN_LABELS} labels with both classes)"
        scored = [
            (model.probability(logit, category), example)
            for logit, example in zip(logits, examples, strict=True)
        ]
        civil = sum(1 for example in examples if not (example.hate or example.offensive))
        if civil >= MIN_LABELS:
            model.thresholds[category] = thresholds(category, scored)
            model.alone_thresholds[category] = model.thresholds[category]
        report[category] = {
            "calibration": note,
            "before": before,
            "after": model.calibration[category],
            "thresholds": model.thresholds[category],
            "labels": len(examples),
            "positive": sum(labels),
        }
    return report
