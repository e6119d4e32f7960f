"""Training the shipped model (``manage.py train_language_model``). Needs the training
dependencies (requirements-dev.txt: numpy, scipy, scikit-learn); scoring does not.

Sources (a folder given with ``--source``, searched recursively; see
docs/moderation-model.md for where each comes from and its licence):

- Davidson et al. 2017, ``labeled_data.csv`` (class 0 hate, 1 offensive, 2 neither);
- HateXplain (Mathew et al. 2021) in the CSV layout ``id,prefix,input_text,target_text``
  (rows with prefix ``label``: hate / offensive / normal);
- ToxiGen's human-written seed sentences, ``prompts/(hate|neutral)_GROUP_1k.txt``;
- any CSV in the shared labels format (``labels.read_csv``).

Plus the project's own examples (``data/own_training.csv``, ``data/own_dev.csv``, and the
comments written for it, ``data/written/``) and the moderators' labels. Public examples are
split into train and dev by a hash of their text (``DEV_SHARE``), the written comments by
another (``calibration.is_written_dev``); the project's dev file is dev only; moderators'
labels train.
"""

from __future__ import annotations

import csv
import hashlib
import re
from array import array
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import sparse
from sklearn.linear_model import LogisticRegression

from . import CATEGORIES, HATE, OFFENSIVE
from .calibration import own_dev, platt, thresholds, written
from .evaluation import outcomes
from .features import segments
from .labels import Example, read_csv
from .model import Model

OWN_TRAINING = Path(__file__).resolve().parent / "data" / "own_training.csv"
DEV_SHARE = 0.15
MIN_DF = 2
PRUNE = 0.02  # weights smaller than this are dropped from the shipped file
# How much one example of each source counts: the project's own and its moderators' examples
# are closest to a news site's comments; Davidson's 25,000 tweets would drown them otherwise.
WEIGHTS = {"davidson": 0.5, "hatexplain": 1.0, "toxigen": 2.0, "own": 5.0, "moderators": 5.0}
C = {HATE: 8.0, OFFENSIVE: 4.0}

_TOXIGEN = re.compile(r"(hate|neutral)_(.+)_1k\.txt$")


def _davidson(path: Path) -> list[Example]:
    with open(path, newline="", encoding="utf-8") as file:
        return [
            Example(
                text=row["tweet"],
                hate=int(row["class"] == "0"),
                offensive=int(row["class"] in ("0", "1")),
                source="davidson",
            )
            for row in csv.DictReader(file)
        ]


def _hatexplain(path: Path) -> list[Example]:
    with open(path, newline="", encoding="utf-8") as file:
        rows = [row for row in csv.DictReader(file) if row["prefix"] == "label"]
    labels = {"hate": (1, 1), "hatespeech": (1, 1), "offensive": (0, 1), "normal": (0, 0)}
    return [
        Example(row["input_text"], *labels[row["target_text"]], source="hatexplain")
        for row in rows
        if row["target_text"] in labels
    ]


def _toxigen(path: Path, kind: str, group: str) -> list[Example]:
    seen: set[str] = set()
    examples = []
    for line in path.read_text(encoding="utf-8").splitlines():
        for sentence in line.split("\\n"):
            sentence = sentence.strip().lstrip("-").strip()
            if len(sentence) >= 8 and sentence.lower() not in seen:
                seen.add(sentence.lower())
                examples.append(
                    Example(sentence, int(kind == "hate"), 0, group=group, source="toxigen")
                )
    return examples


def read_sources(folder: Path) -> list[Example]:
    """Every example of the known public sources found under ``folder``."""
    examples: list[Example] = []
    for path in sorted(folder.rglob("*")):
        if path.name == "labeled_data.csv":
            examples += _davidson(path)
        elif match := _TOXIGEN.search(path.name):
            examples += _toxigen(path, match.group(1), match.group(2))
        elif path.suffix == ".csv":
            with open(path, newline="", encoding="utf-8") as file:
                header = next(csv.reader(file), [])
            if {"prefix", "input_text", "target_text"} <= set(header):
                examples += _hatexplain(path)
            elif {"text", *CATEGORIES} <= set(header):
                examples += read_csv(path, source="labels")
    # One copy of each text (sources overlap, and ToxiGen repeats its seeds).
    unique: dict[str, Example] = {}
    for example in examples:
        unique.setdefault(example.text.strip().lower(), example)
    return list(unique.values())


def is_dev(example: Example) -> bool:
    digest = hashlib.sha256(example.text.strip().lower().encode()).digest()
    return digest[0] / 256 < DEV_SHARE


@dataclass
class Split:
    train: list[Example]
    dev: list[Example]


def split(public: Sequence[Example], moderators: Iterable[Example] = ()) -> Split:
    own_train = read_csv(OWN_TRAINING, source="own") + written(dev=False)
    moderated = [
        Example(e.text, e.hate, e.offensive, e.group, e.kind, "moderators") for e in moderators
    ]
    return Split(
        train=[e for e in public if not is_dev(e)] + own_train + moderated,
        dev=[e for e in public if is_dev(e)] + own_dev(),
    )


def _matrix(examples: Sequence[Example], index: dict[str, int] | None = None):
    """A sparse matrix of the examples' features (whole texts), and the feature index (built
    from these examples when not given: features seen in at least MIN_DF texts)."""
    bags = [segments(example.text, whole_only=True)[0].values for example in examples]
    if index is None:
        counts: dict[str, int] = {}
        for bag in bags:
            for feature in bag:
                counts[feature] = counts.get(feature, 0) + 1
        kept = sorted(f for f, n in counts.items() if n >= MIN_DF or f.startswith("s:"))
        index = {feature: position for position, feature in enumerate(kept)}
    rows, cols, values = [], [], []
    for row, bag in enumerate(bags):
        for feature, value in bag.items():
            position = index.get(feature)
            if position is not None:
                rows.append(row)
                cols.append(position)
                values.append(value)
    shape = (len(examples), len(index))
    return sparse.csr_matrix((values, (rows, cols)), shape=shape, dtype=np.float64), index


def fit(data: Split, *, log: Callable[[str], object] = print) -> Model:
    """Fit one logistic regression per category on ``data.train``, prune, then calibrate and
    set thresholds on ``data.dev``."""
    matrix, index = _matrix(data.train)
    sample_weight = np.array([WEIGHTS.get(e.source, 1.0) for e in data.train])
    log(f"training on {len(data.train)} texts, {len(index)} features")
    weights, bias = {}, {}
    for category in CATEGORIES:
        labels = np.array([e.label(category) for e in data.train])
        model = LogisticRegression(C=C[category], solver="liblinear", max_iter=1000)
        model.fit(matrix, labels, sample_weight=sample_weight)
        weights[category] = model.coef_[0]
        bias[category] = float(model.intercept_[0])
    keep = np.zeros(len(index), dtype=bool)
    for category in CATEGORIES:
        keep |= np.abs(weights[category]) >= PRUNE
    features = [f for f, position in sorted(index.items(), key=lambda item: item[1])]
    kept = [feature for feature, flag in zip(features, keep, strict=True) if flag]
    log(f"kept {len(kept)} features with a weight of at least {PRUNE}")

    shipped = Model(
        categories=CATEGORIES,
        index={feature: position for position, feature in enumerate(kept)},
        weights={c: array("f", weights[c][keep].tolist()) for c in CATEGORIES},
        bias=bias,
        calibration={c: (1.0, 0.0) for c in CATEGORIES},
        thresholds={c: (0.5, None) for c in CATEGORIES},
        trained={},
    )
    calibrate(shipped, data.dev)
    shipped.alone_thresholds = dict(shipped.thresholds)  # before the combination's replace them
    return shipped


def dev_logits(model: Model, examples: Sequence[Example]) -> dict[str, list[float]]:
    parts = [segments(example.text) for example in examples]
    return {
        category: [max(model.logit(part, category) for part in each) for each in parts]
        for category in model.categories
    }


def calibrate(model: Model, dev: Sequence[Example]) -> None:
    """Platt scaling and thresholds from the dev examples, as scored in use (worst segment)."""
    logits = dev_logits(model, dev)
    for category in model.categories:
        labels = [example.label(category) for example in dev]
        model.calibration[category] = platt(logits[category], labels)
        # Thresholds from the project's own dev examples: they are what a news site's
        # comments look like; the public dev sets (tweets, Gab posts) are not.
        scored = [
            (model.probability(logit, category), example)
            for logit, example in zip(logits[category], dev, strict=True)
            if example.source == "own"
        ]
        model.thresholds[category] = thresholds(category, scored)


def dev_report(
    model: Model, dev: Sequence[Example], scores: list[dict[str, float]] | None = None
) -> list[str]:
    """The dev figures at the model's thresholds, per source and, for the project's own
    examples and the selection set, per kind and group: share of hateful texts held or
    refused, of civil ones (neither hate nor offensive) held, and of civil ones refused.
    ``scores``: the examples' scores when not the linear model's alone (the combined
    scorer's)."""
    if scores is None:
        logits = dev_logits(model, dev)
        scores = [
            {c: model.probability(logits[c][i], c) for c in model.categories}
            for i in range(len(dev))
        ]
    rows = list(zip(dev, outcomes(scores, model.thresholds), strict=True))
    lines = [f"thresholds: {model.thresholds}"]

    def line(name: str, chosen: list) -> str:
        hateful = [o for e, o in chosen if e.hate]
        civil = [o for e, o in chosen if not (e.hate or e.offensive)]
        offensive = [o for e, o in chosen if e.offensive and not e.hate]

        def share(part: list, wanted: tuple[str, ...]) -> str:
            if not part:
                return "-"
            return f"{sum(o in wanted for o in part)}/{len(part)}"

        return (
            f"{name:<28} hate held or refused {share(hateful, ('hold', 'refuse')):>9}"
            f"  civil held {share(civil, ('hold', 'refuse')):>9}"
            f"  civil refused {share(civil, ('refuse',)):>7}"
            f"  offensive held {share(offensive, ('hold', 'refuse')):>9}"
        )

    for source in sorted({e.source for e in dev}):
        lines.append(line(source, [(e, o) for e, o in rows if e.source == source]))
    for source in ("own", "selection"):
        chosen = [(e, o) for e, o in rows if e.source == source]
        for kind in sorted({e.kind for e, _ in chosen}):
            lines.append(line(f"  {source}, {kind}", [(e, o) for e, o in chosen if e.kind == kind]))
        for group in sorted({e.group for e, _ in chosen if e.group}):
            lines.append(
                line(f"  {source}, {group}", [(e, o) for e, o in chosen if e.group == group])
            )
    return lines
