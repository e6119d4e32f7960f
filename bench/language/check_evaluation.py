"""Check the held-out language evaluation set and print its counts.

    python bench/language/check_evaluation.py [FILE.csv]

Fails (exit status 1, one line per problem) when a row has the wrong columns, an unknown group
or kind, a label other than 0 or 1, a label that contradicts its kind, or text that duplicates
another row's once case, spacing and invisible characters are ignored; or when a group has
fewer hateful or non-hateful rows than the set promises. Otherwise prints the counts per group,
kind and label that bench/language/README.md reports. It reads the file only: the set is for
evaluation and is never used to train, tune or set thresholds.
"""

from __future__ import annotations

import csv
import sys
import unicodedata
from collections import Counter
from pathlib import Path

DEFAULT = Path(__file__).with_name("evaluation.csv")
COLUMNS = ["text", "group", "hate", "offensive", "kind"]
GROUPS = [
    "women",
    "trans_people",
    "gay_people",
    "black_people",
    "disabled_people",
    "muslims",
    "jews",
    "immigrants",
    "roma",
    "none",
]
HATEFUL_KINDS = {"dehumanising", "conspiracy", "threat", "slur", "lookalike", "contempt"}
CIVIL_KINDS = {"civil", "heated_civil", "counter_speech", "negation", "reclaimed"}
KINDS = HATEFUL_KINDS | CIVIL_KINDS | {"insult_no_group"}
# Slurs, threats and calling people vermin or a disease are abusive language by definition.
ALWAYS_OFFENSIVE = {"slur", "threat", "dehumanising", "insult_no_group"}
NO_GROUP_KINDS = {"civil", "heated_civil", "insult_no_group"}
MIN_HATEFUL_PER_GROUP = 30
MIN_NOT_HATEFUL_PER_GROUP = 35
MIN_ROWS = 600
INVISIBLE = {"\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"}


def normalised(text: str) -> str:
    """The text as a duplicate check sees it: case, spacing and invisible characters ignored."""
    text = "".join(ch for ch in unicodedata.normalize("NFKC", text) if ch not in INVISIBLE)
    return " ".join(text.casefold().split())


def problems(rows: list[dict[str, str]]) -> list[str]:
    """Every way the rows break the set's rules, as one message each."""
    found = []
    seen: dict[str, int] = {}
    for number, row in enumerate(rows, start=2):
        where = f"line {number}"
        if row["group"] not in GROUPS:
            found.append(f"{where}: unknown group {row['group']!r}")
        if row["kind"] not in KINDS:
            found.append(f"{where}: unknown kind {row['kind']!r}")
        if row["hate"] not in {"0", "1"} or row["offensive"] not in {"0", "1"}:
            found.append(f"{where}: labels must be 0 or 1")
            continue
        hate, offensive = row["hate"] == "1", row["offensive"] == "1"
        if hate != (row["kind"] in HATEFUL_KINDS):
            found.append(f"{where}: hate={row['hate']} contradicts kind {row['kind']}")
        if row["group"] == "none" and row["kind"] not in NO_GROUP_KINDS:
            found.append(f"{where}: a row with no group must be civil, heated_civil or an insult")
        if row["kind"] == "insult_no_group" and row["group"] != "none":
            found.append(f"{where}: insult_no_group is for rows with no group")
        if row["kind"] in ALWAYS_OFFENSIVE and not offensive:
            found.append(f"{where}: a {row['kind']} row is offensive")
        words = len(row["text"].split())
        if not 1 <= words <= 150:
            found.append(f"{where}: {words} words")
        key = normalised(row["text"])
        if key in seen:
            found.append(f"{where}: duplicates line {seen[key]}")
        seen.setdefault(key, number)
    by_group = Counter((row["group"], row["hate"]) for row in rows)
    for group in GROUPS[:-1]:
        if by_group[group, "1"] < MIN_HATEFUL_PER_GROUP:
            found.append(f"{group}: {by_group[group, '1']} hateful rows")
        if by_group[group, "0"] < MIN_NOT_HATEFUL_PER_GROUP:
            found.append(f"{group}: {by_group[group, '0']} rows that are not hateful")
    if len(rows) < MIN_ROWS:
        found.append(f"{len(rows)} rows, fewer than {MIN_ROWS}")
    return found


def table(rows: list[dict[str, str]]) -> str:
    """Counts per group: hateful, not hateful, offensive, then per kind, as a Markdown table."""
    kinds = sorted({row["kind"] for row in rows}, key=lambda k: (k not in CIVIL_KINDS, k))
    header = ["group", "rows", "hate=1", "hate=0", "offensive=1", *kinds]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for group in [*GROUPS, "total"]:
        mine = [row for row in rows if group in (row["group"], "total")]
        if not mine:
            continue
        kind_counts = Counter(row["kind"] for row in mine)
        cells = [
            group,
            len(mine),
            sum(row["hate"] == "1" for row in mine),
            sum(row["hate"] == "0" for row in mine),
            sum(row["offensive"] == "1" for row in mine),
            *(kind_counts[kind] for kind in kinds),
        ]
        lines.append("| " + " | ".join(str(cell) for cell in cells) + " |")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    path = Path(argv[1]) if len(argv) > 1 else DEFAULT
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        if reader.fieldnames != COLUMNS:
            print(f"columns are {reader.fieldnames}, expected {COLUMNS}")
            return 1
        rows = list(reader)
    found = problems(rows)
    for message in found:
        print(message)
    print(table(rows))
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
