"""Labelled examples: the CSV format every training, calibration and evaluation file shares
(columns ``text``, ``hate``, ``offensive`` as 0/1; optional ``group`` and ``kind``).

Moderators' decisions reach training from the database (``comments.moderation.labels``,
read by ``manage.py train_language_model``), or as a file exported in this format
(``manage.py export_language_labels``, then ``--labels FILE.csv``).
"""

from __future__ import annotations

import csv
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
