"""The language scorer's budget and targets (issue 23), measured by ``make bench`` or alone
with ``python -m bench.language``:

1. milliseconds of CPU per comment on one core (median and p95) over generated comments,
   short and long — budget: median <= 20 ms;
2. extra memory (RSS) of loading the model into a fresh process — budget: <= 250 MB;
3. when ``bench/language/evaluation.csv`` exists (a labelled set kept apart from training and
   tuning: columns text, hate, offensive, optional group), the issue's targets at
   ``DEFAULT_THRESHOLDS``: share of hateful rows held or refused (>= 85%), share of civil rows
   (neither hate nor offensive) held (<= 10%), overall and per group.
"""

from __future__ import annotations

import os
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")

import django

django.setup()

from comments.moderation.language import DEFAULT_THRESHOLDS, load, score  # noqa: E402
from comments.moderation.language.evaluation import outcomes  # noqa: E402
from comments.moderation.language.labels import read_csv  # noqa: E402

EVALUATION = Path(__file__).resolve().parent / "language" / "evaluation.csv"
Row = Callable[[str, str, str, str, str, bool | None], None]

_OPENINGS = [
    "I read the whole article twice and",
    "As someone who has lived in this town for thirty years,",
    "With respect to the councillor quoted here,",
    "Honestly,",
    "The figures in the third paragraph are interesting, but",
]
_MIDDLES = [
    "the bridge should have been built a decade ago",
    "the new bus routes leave the north bank without a service after nine",
    "the school admissions policy still favours families who can afford to move",
    "nobody has explained who pays for the harbour works",
    "the refugees housed at the old hotel deserve better than this",
    "parking near the market is a nightmare on Saturdays",
    "the debate about religion in schools keeps coming back every election",
]
_ENDINGS = [
    "and I hope the paper follows this up.",
    "which the council should answer for.",
    "but I may be wrong about the details.",
    "so thank you for reporting it.",
    "and frankly it is a scandal.",
]


def comments(count: int = 400, seed: int = 23) -> list[str]:
    """Realistic comments: a third short (one sentence), the rest of two to twelve."""
    rng = random.Random(seed)
    made = []
    for index in range(count):
        sentences = 1 if index % 3 == 0 else rng.randint(2, 12)
        made.append(
            " ".join(
                f"{rng.choice(_OPENINGS)} {rng.choice(_MIDDLES)} {rng.choice(_ENDINGS)}"
                for _ in range(sentences)
            )
        )
    return made


def timings(texts: list[str]) -> list[float]:
    """Milliseconds of CPU per comment, scored on one core (this process pinned to one
    CPU). CPU time, not wall time: a busy machine's other processes do not count against
    the scorer."""
    load()
    # One BLAS thread, as in a gunicorn worker (deploy/gunicorn.conf.py): thread_time would
    # not count the work of BLAS's own threads.
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # scikit-learn's dependency; only the development environment has it
        limits = None
    else:
        limits = threadpool_limits(limits=1)
    pinned = hasattr(os, "sched_setaffinity")
    if pinned:
        before = os.sched_getaffinity(0)
        os.sched_setaffinity(0, {min(before)})
    try:
        for text in texts[:20]:  # warm up
            score(text)
        result = []
        for text in texts:
            began = time.thread_time()
            score(text)
            result.append(1000 * (time.thread_time() - began))
        return result
    finally:
        if pinned:
            os.sched_setaffinity(0, before)
        if limits is not None:
            limits.restore_original_limits()


_RSS = """
import os, django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
django.setup()
from comments.moderation import language
def rss():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
before = rss()
language.load()
language.score("warm up")
print(rss() - before)
"""


def extra_rss_mb() -> float:
    """The resident memory a fresh process gains by loading the model, in MB."""
    root = Path(__file__).resolve().parent.parent
    output = subprocess.run(
        [sys.executable, "-c", _RSS], cwd=root, capture_output=True, text=True, check=True
    )
    return int(output.stdout.strip().splitlines()[-1]) / 1024


def targets(row: Row) -> None:
    examples = read_csv(EVALUATION)
    decided = outcomes([score(example.text).scores for example in examples], DEFAULT_THRESHOLDS)
    groups = sorted({example.group for example in examples if example.group})
    for group in ["", *groups]:
        chosen = [
            (example, outcome)
            for example, outcome in zip(examples, decided, strict=True)
            if not group or example.group == group
        ]
        hateful = [outcome for example, outcome in chosen if example.hate]
        civil = [outcome for example, outcome in chosen if not (example.hate or example.offensive)]
        name = group or "all"
        if hateful:
            share = sum(outcome != "publish" for outcome in hateful) / len(hateful)
            row(f"  {name}: hateful held or refused ({len(hateful)})", f"{100 * share:.1f}%",
                "", "", ">= 85%", share >= 0.85)  # fmt: skip
        if civil:
            share = sum(outcome != "publish" for outcome in civil) / len(civil)
            row(f"  {name}: civil held ({len(civil)})", f"{100 * share:.1f}%", "", "",
                "<= 10%", share <= 0.10)  # fmt: skip


def run(row: Row) -> None:
    print("6. Language scorer (one core; generated comments, a third short)")
    texts = comments()
    times = timings(texts)
    median = statistics.median(times)
    p95 = statistics.quantiles(times, n=20)[-1]
    words = statistics.median(len(text.split()) for text in texts)
    print(f"  {len(texts)} comments, {words:.0f} words at the median")
    row("  CPU ms per comment, median", f"{median:.2f}",
        "", "", "<= 20 ms", median <= 20)  # fmt: skip
    row("  CPU ms per comment, p95", f"{p95:.2f}", "", "", "", None)
    # The sentence encoder runs only on comments that name a group ("refugees" here).
    naming = [ms for ms, text in zip(times, texts, strict=True) if "refugees" in text]
    if naming:
        row(f"  CPU ms, the {len(naming)} naming a group, median",
            f"{statistics.median(naming):.2f}", "", "", "", None)  # fmt: skip
    memory = extra_rss_mb()
    row("  extra memory of the loaded model (RSS)", f"{memory:.0f} MB", "", "", "<= 250 MB",
        memory <= 250)  # fmt: skip
    if EVALUATION.exists():
        print(f"  targets on bench/language/{EVALUATION.name} at {DEFAULT_THRESHOLDS}")
        targets(row)
    else:
        print(f"  no {EVALUATION.name} under bench/language/: targets not measured")


def _row(label: str, value: str, baseline: str, ratio: str, goal: str, ok: bool | None) -> None:
    verdict = "" if ok is None else ("PASS" if ok else "FAIL")
    print(f"{label:<52}{value:>10}{baseline:>10}{ratio:>8}  {goal:<10}{verdict}")


if __name__ == "__main__":
    run(_row)
