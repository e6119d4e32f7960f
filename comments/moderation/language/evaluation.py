"""How well the scorer does on labelled examples (``manage.py evaluate_language_model``):
precision, recall and accuracy per category at its hold threshold, overall and per group.
Uses the scorer only, never the database, so it runs anywhere."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from . import CATEGORIES, DEFAULT_THRESHOLDS, LanguageScore, score
from .labels import Example


@dataclass(frozen=True)
class Counts:
    true_positive: int = 0
    false_positive: int = 0
    false_negative: int = 0
    true_negative: int = 0

    @property
    def total(self) -> int:
        return self.true_positive + self.false_positive + self.false_negative + self.true_negative

    @property
    def precision(self) -> float | None:
        flagged = self.true_positive + self.false_positive
        return self.true_positive / flagged if flagged else None

    @property
    def recall(self) -> float | None:
        actual = self.true_positive + self.false_negative
        return self.true_positive / actual if actual else None

    @property
    def accuracy(self) -> float | None:
        return (self.true_positive + self.true_negative) / self.total if self.total else None

    def add(self, *, flagged: bool, actual: bool) -> Counts:
        return Counts(
            self.true_positive + (flagged and actual),
            self.false_positive + (flagged and not actual),
            self.false_negative + (not flagged and actual),
            self.true_negative + (not flagged and not actual),
        )


def counts(
    examples: Sequence[Example],
    scores: Sequence[LanguageScore],
    thresholds: dict[str, tuple[float | None, float | None]],
) -> dict[tuple[str, str], Counts]:
    """Per (group, category), the confusion counts at the hold threshold; group "" is all."""
    table: dict[tuple[str, str], Counts] = {}
    for example, result in zip(examples, scores, strict=True):
        for category in CATEGORIES:
            hold = thresholds[category][0]
            flagged = hold is not None and result.scores[category] >= hold
            actual = bool(example.label(category))
            for group in {"", example.group} if example.group else {""}:
                key = (group, category)
                table[key] = table.get(key, Counts()).add(flagged=flagged, actual=actual)
    return table


def outcomes(
    scores: Sequence[dict[str, float]],
    thresholds: dict[str, tuple[float | None, float | None]],
) -> list[str]:
    """What the scorer alone would do with each text: "refuse" when a category reaches its
    refuse threshold, else "hold" when one reaches its hold threshold, else "publish"."""

    def outcome(scored: dict[str, float]) -> str:
        if any(
            refuse is not None and scored[name] >= refuse
            for name, (_, refuse) in thresholds.items()
        ):
            return "refuse"
        if any(hold is not None and scored[name] >= hold for name, (hold, _) in thresholds.items()):
            return "hold"
        return "publish"

    return [outcome(scored) for scored in scores]


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f}%"


def report(
    examples: Sequence[Example],
    thresholds: dict[str, tuple[float | None, float | None]] | None = None,
    scorer: Callable[[str], LanguageScore] = score,
) -> str:
    """The evaluation as a plain-text table: one line per group (``all`` first) and
    category, with the number of rows, precision, recall and accuracy at the hold
    threshold."""
    thresholds = thresholds or DEFAULT_THRESHOLDS
    table = counts(examples, [scorer(example.text) for example in examples], thresholds)
    lines = [
        "thresholds: " + ", ".join(f"{name} hold {thresholds[name][0]}" for name in CATEGORIES),
        f"{'group':<20} {'category':<10} {'rows':>6} {'precision':>10} {'recall':>8} "
        f"{'accuracy':>9}",
    ]
    groups = sorted({group for group, _ in table if group})
    for group in ["", *groups]:
        for category in CATEGORIES:
            found = table.get((group, category))
            if found is None:
                continue
            lines.append(
                f"{group or 'all':<20} {category:<10} {found.total:>6} "
                f"{_percent(found.precision):>10} {_percent(found.recall):>8} "
                f"{_percent(found.accuracy):>9}"
            )
    return "\n".join(lines)
