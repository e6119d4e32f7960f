"""Labelled examples: the CSV format every training, calibration and evaluation file shares
(columns ``text``, ``hate``, ``offensive`` as 0/1; optional ``group`` and ``kind``), and the
hook through which moderators' decisions reach training.

The moderation app registers a source of labels (``register``); ``iter_moderator_labels``
yields what every registered source gives. A file of labels exported in the CSV format works
the same way (``manage.py train_language_model --labels FILE.csv``).
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from . import CATEGORIES


@dataclass(frozen=True)
class Example:
    text: str
    hate: int
    offensive: int
    group: str = ""
    kind: str = ""
    source: str = ""

    def label(self, category: str) -> int:
        return getattr(self, category)


class BadLabels(ValueError):
    """A labels file that is not in the shared CSV format."""


def read_csv(path: Path | str, *, source: str = "") -> list[Example]:
    """The examples of a labels CSV; raises ``BadLabels`` naming the first bad row."""
    with open(path, newline="", encoding="utf-8") as file:
        reader = csv.DictReader(file)
        missing = {"text", *CATEGORIES} - set(reader.fieldnames or ())
        if missing:
            raise BadLabels(f"{path}: missing column(s) {', '.join(sorted(missing))}")
        examples = []
        for line, row in enumerate(reader, start=2):
            try:
                values = {name: int(row[name]) for name in CATEGORIES}
            except (TypeError, ValueError):
                raise BadLabels(f"{path}, line {line}: hate and offensive must be 0 or 1") from None
            if any(value not in (0, 1) for value in values.values()):
                raise BadLabels(f"{path}, line {line}: hate and offensive must be 0 or 1")
            examples.append(
                Example(
                    text=row["text"] or "",
                    group=(row.get("group") or "").strip(),
                    kind=(row.get("kind") or "").strip(),
                    source=source or Path(path).name,
                    **values,
                )
            )
    return examples


_sources: list[Callable[[], Iterable[Example]]] = []


def register(source: Callable[[], Iterable[Example]]) -> None:
    """Add a source of moderators' labels (called once, e.g. from an AppConfig.ready)."""
    if source not in _sources:
        _sources.append(source)


def iter_moderator_labels() -> Iterator[Example]:
    """Every moderator label from the registered sources (none registered: nothing)."""
    for source in _sources:
        yield from source()
