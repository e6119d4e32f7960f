"""Precision, recall and accuracy of the language scorer on a labelled CSV."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from comments.moderation.language import CATEGORIES, DEFAULT_THRESHOLDS
from comments.moderation.language.evaluation import report
from comments.moderation.language.labels import BadLabels, read_csv


class Command(BaseCommand):
    help = (
        "Score each row of a labelled CSV (columns text, hate, offensive as 0/1; optional "
        "group, kind) and print precision, recall and accuracy per category at the hold "
        "threshold, overall and per group. Uses the scorer only, not the database."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        for category in CATEGORIES:
            parser.add_argument(
                f"--hold-{category}",
                type=float,
                default=DEFAULT_THRESHOLDS[category][0],
                help=f"hold threshold for {category} (default: {DEFAULT_THRESHOLDS[category][0]})",
            )

    def handle(self, *args, **options) -> None:
        try:
            examples = read_csv(options["file"])
        except (OSError, BadLabels) as error:
            raise CommandError(str(error)) from error
        thresholds = {
            category: (options[f"hold_{category}"], DEFAULT_THRESHOLDS[category][1])
            for category in CATEGORIES
        }
        self.stdout.write(report(examples, thresholds))
