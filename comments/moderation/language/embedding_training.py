"""Training the encoder's heads and the stacked combination (``manage.py
train_language_model``), and refitting the combination on labels alone (``--recalibrate``).

- **Heads**: a small network per category (one hidden layer; scikit-learn, a training
  dependency) on the 384-dimensional embeddings of the training texts as the encoder reads
  them in use (``as_read``), weighted per source (``HEAD_WEIGHTS``).
- **Stack**: a logistic regression per category on ``combined.stack_row`` (linear logit,
  head logit, hard case, head logit if hard), fitted in numpy (``fit_logistic``) on the dev
  examples, each source weighing the same in all; recalibration needs neither the public
  data nor scikit-learn.
- **Thresholds** (``set_thresholds``): hold and refuse from the combined scores of the
  project's own dev examples (``calibration.thresholds``), or of every label given
  (recalibration); written beside the models.

Embeddings take a while (about 20-50 ms per text on one core); ``cache`` is a folder where
they are kept between runs (``--embedding-cache``), keyed by a hash of the word pieces
after the cut, in a file per encoder (its ``fingerprint``).
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from . import CATEGORIES
from .calibration import thresholds
from .combined import STACK_FEATURES, Heads, Scorer, embedded_text, hard_case, stack_row
from .labels import Example
from .model import Model

STACK_L2 = 1.0
HEAD_C = {"hate": 2.0, "offensive": 1.0}
# Each head: one hidden layer of rectified units (scikit-learn's MLPClassifier, L-BFGS, L2
# penalty HEAD_ALPHA), which read the project's written examples better than a logistic
# regression on the embedding did (dev AUC for hate 0.951 against 0.942); 0 = logistic.
HEAD_HIDDEN = 128
HEAD_ALPHA = 10.0
# How much one training example of each source counts for the heads: ToxiGen's seeds (hate
# without telltale words, which the encoder is for) count as much as the project's own.
HEAD_WEIGHTS = {"davidson": 0.5, "hatexplain": 1.0, "toxigen": 5.0, "own": 5.0, "moderators": 5.0}
HEAD_SAMPLE = {"davidson": 1500, "hatexplain": 2000}  # training texts the heads learn from
DEV_SAMPLE = {"davidson": 600, "hatexplain": 600}  # dev texts the combination is fitted on


def _key(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def _ids_key(ids: list[int]) -> str:
    """What an embedding depends on: the word pieces, after the cut."""
    return hashlib.sha1(",".join(map(str, ids)).encode()).hexdigest()


class Embeddings:
    """Embeddings of texts, computed once (and kept in ``cache`` when given)."""

    def __init__(self, encoder, cache: Path | None = None, log: Callable = print) -> None:
        self.encoder = encoder
        self.cache = cache
        self.log = log
        self.known: dict[str, np.ndarray] = {}
        # One file per encoder (the base weights, or each adapter merged into them).
        self.file = f"embeddings-{getattr(encoder, 'fingerprint', 'base')}.npz"
        if cache is not None and (cache / self.file).exists():
            with np.load(cache / self.file) as data:
                self.known = dict(zip(data["keys"].tolist(), data["vectors"], strict=True))

    def key(self, text: str) -> str:
        return _ids_key(self.encoder.ids(text))

    def __contains__(self, text: str) -> bool:
        return self.key(text) in self.known

    def __call__(self, texts: Sequence[str]) -> np.ndarray:
        missing = list(dict.fromkeys(t for t in texts if self.key(t) not in self.known))
        if missing:
            self.log(f"embedding {len(missing)} texts")
        for number, text in enumerate(missing, start=1):
            self.known[self.key(text)] = self.encoder.embed(text)
            if number % 2000 == 0:
                self.log(f"  {number}/{len(missing)}")
                self.save()
        if missing:
            self.save()
        return np.stack([self.known[self.key(t)] for t in texts]) if texts else np.zeros((0, 384))

    def save(self) -> None:
        if self.cache is None:
            return
        self.cache.mkdir(parents=True, exist_ok=True)
        keys = list(self.known)
        np.savez(
            self.cache / self.file,
            keys=np.array(keys),
            vectors=np.stack([self.known[k] for k in keys]).astype(np.float32),
        )


def as_read(model: Model, examples: Sequence[Example]) -> list[Example]:
    """The examples with the text the encoder reads in use (``combined.embedded_text``: the
    whole comment or its worst sentence, each word folded as the linear model reads it), so
    the heads and the fine-tuning learn from what they will be shown: "j3ws" as "jews"."""
    scorer = Scorer(model, None, None)
    read = []
    for example in examples:
        parts, logits = scorer.parts(example.text)
        text = embedded_text(example.text, parts, logits[CATEGORIES[0]])
        read.append(dataclasses.replace(example, text=text))
    return read


def fit_logistic(
    rows: np.ndarray, labels: np.ndarray, weights: np.ndarray, l2: float = STACK_L2
) -> np.ndarray:
    """Weighted L2-regularised logistic regression by Newton's method (the intercept, column
    0, is not regularised)."""
    coef = np.zeros(rows.shape[1])
    penalty = np.full(rows.shape[1], l2)
    penalty[0] = 1e-6
    for _ in range(50):
        p = 1 / (1 + np.exp(-(rows @ coef)))
        gradient = rows.T @ (weights * (p - labels)) + penalty * coef
        hessian = (rows * (weights * p * (1 - p))[:, None]).T @ rows + np.diag(penalty)
        step = np.linalg.solve(hessian, gradient)
        coef -= step
        if np.abs(step).max() < 1e-8:
            break
    return coef


def fit_heads(
    train: Sequence[Example],
    embed: Embeddings,
    weights: dict[str, float] = HEAD_WEIGHTS,
    hidden: int = HEAD_HIDDEN,
) -> Heads:
    from sklearn.linear_model import LogisticRegression
    from sklearn.neural_network import MLPClassifier

    matrix = embed([e.text for e in train])
    sample_weight = np.array([weights.get(e.source, 1.0) for e in train])
    head_weights, bias, layers = {}, {}, {}
    for category in CATEGORIES:
        labels = np.array([e.label(category) for e in train])
        if hidden:
            network = MLPClassifier(
                hidden_layer_sizes=(hidden,),
                alpha=HEAD_ALPHA,
                solver="lbfgs",
                max_iter=1000,
                random_state=0,
            )
            network.fit(matrix, labels, sample_weight=sample_weight)
            layers[category] = (
                network.coefs_[0].astype(np.float32),
                network.intercepts_[0].astype(np.float32),
            )
            head_weights[category] = network.coefs_[1][:, 0].astype(np.float32)
            bias[category] = float(network.intercepts_[1][0])
        else:
            model = LogisticRegression(C=HEAD_C[category], max_iter=2000)
            model.fit(matrix, labels, sample_weight=sample_weight)
            head_weights[category] = model.coef_[0].astype(np.float32)
            bias[category] = float(model.intercept_[0])
    trained = {"head_texts": len(train), "head_hidden": hidden}
    return Heads(head_weights, bias, stack={}, trained=trained, hidden=layers)


def dev_rows(scorer: Scorer, dev: Sequence[Example], embed: Embeddings):
    """Per dev example: the linear logits, the head logits and whether it is a hard case."""
    raw = []
    stretches = []
    for example in dev:
        parts, logits = scorer.parts(example.text)
        stretch = embedded_text(example.text, parts, logits[CATEGORIES[0]])
        raw.append((logits, stretch, hard_case(parts[0])))
        stretches.append(stretch)
    vectors = dict(zip(stretches, embed(stretches), strict=True)) if stretches else {}
    result = []
    for logits, stretch, hard in raw:
        result.append((logits, scorer.heads.logits(vectors[stretch]), hard))
    return result


def sample(
    examples: Sequence[Example], limits: dict[str, int], known: Embeddings | None = None
) -> list[Example]:
    """The examples, with at most ``limits[source]`` of each large public source (embedding
    is slow; more add little): those already embedded first, then by a hash of the text."""
    chosen: list[Example] = []
    for source in sorted({e.source for e in examples}):
        of_source = [e for e in examples if e.source == source]
        limit = limits.get(source)
        if limit is not None and len(of_source) > limit:
            of_source.sort(key=lambda e: (known is None or e.text not in known, _key(e.text)))
            of_source = of_source[:limit]
        chosen += of_source
    return chosen


def fit_stack(
    scorer: Scorer,
    dev: Sequence[Example],
    embed: Embeddings,
    log: Callable = print,
    threshold_sources: frozenset[str] | None = frozenset({"own"}),
) -> None:
    """Fit the combination on ``dev``, and the thresholds on its examples of
    ``threshold_sources`` (None: all of them); changes ``scorer`` in place."""
    raw = dev_rows(scorer, dev, embed)
    for category in CATEGORIES:
        chosen = [
            (stack_row(max(logits[category]), heads[category], hard), example)
            for (logits, heads, hard), example in zip(raw, dev, strict=True)
            if heads
        ]
        rows = np.array([row for row, _ in chosen])
        labels = np.array([example.label(category) for _, example in chosen], dtype=float)
        # Every source counts as much in all (the project's own dev examples would otherwise
        # drown the public ones, where the linear model is weakest).
        counts = Counter(e.source for _, e in chosen)
        weights = np.array([len(chosen) / (len(counts) * counts[e.source]) for _, e in chosen])
        scorer.heads.stack[category] = fit_logistic(rows, labels, weights).tolist()
        coefficients = ", ".join(
            f"{name} {value:.3f}"
            for name, value in zip(STACK_FEATURES, scorer.heads.stack[category], strict=True)
        )
        log(f"{category}: stack on {len(chosen)} dev texts: {coefficients}")
    set_thresholds(scorer, dev, raw, threshold_sources)


def set_thresholds(
    scorer: Scorer,
    dev: Sequence[Example],
    raw: list,
    sources: frozenset[str] | None,
) -> None:
    """Hold and refuse thresholds by ``calibration.thresholds`` on the combined scores of the
    dev examples of ``sources`` (None: all of them): the project's own dev examples, written
    like a news site's comments, since the written set gives them several hundred civil ones
    (the public dev sets' civil posts are rough social-media talk of another kind)."""
    own = [
        (example, row)
        for example, row in zip(dev, raw, strict=True)
        if sources is None or example.source in sources
    ]
    # Scores without the hard-case cap first: the cap depends on the refuse threshold.
    for category in CATEGORIES:
        scorer.linear.thresholds[category] = (None, None)
    scored = [(scorer.probabilities(*row), example) for example, row in own]
    for category in CATEGORIES:
        hold, refuse = thresholds(
            category, [(scores[category], example) for scores, example in scored]
        )
        if refuse is not None and refuse <= hold:
            refuse = min(0.99, hold + 0.05)
        scorer.linear.thresholds[category] = (hold, refuse)


def dev_scores(scorer: Scorer, dev: Sequence[Example], embed: Embeddings) -> list[dict]:
    return [scorer.probabilities(*row) for row in dev_rows(scorer, dev, embed)]
