"""Rebuild the language scorer's model, or recalibrate the shipped one (see
docs/moderation-model.md)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from comments.moderation import labels as moderator_labels
from comments.moderation.language import CATEGORIES
from comments.moderation.language.calibration import own_dev, recalibrate
from comments.moderation.language.labels import BadLabels, read_csv
from comments.moderation.language.model import PATH, Model


class Command(BaseCommand):
    help = (
        "Train the language scorer from the public data (--source), the project's own "
        "examples and moderators' labels; or, with --recalibrate, refit only the shipped "
        "model's calibration and thresholds on the project's dev examples and moderators' "
        "labels (no public data, no training dependencies needed)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--source", type=Path, help="folder holding the public data sets")
        parser.add_argument(
            "--labels",
            type=Path,
            action="append",
            default=[],
            help="moderators' labels as CSV (text,hate,offensive); may be repeated",
        )
        parser.add_argument(
            "--recalibrate", action="store_true", help="refit calibration and thresholds only"
        )
        parser.add_argument(
            "--output",
            type=Path,
            default=PATH.parent,
            help="folder to write model.json.gz and thresholds.json to (default: the shipped "
            "model's)",
        )

    def handle(self, *args, **options) -> None:
        try:
            labels = [example for path in options["labels"] for example in read_csv(path)]
        except (OSError, BadLabels) as error:
            raise CommandError(str(error)) from error
        labels += moderator_labels.examples()  # every decision moderators have made
        if options["recalibrate"]:
            self.recalibrate(labels, options["output"])
        elif options["source"] is None:
            raise CommandError("Give --source (the public data) or --recalibrate.")
        else:
            self.train(options["source"], labels, options["output"])

    def recalibrate(self, labels: list, output: Path) -> None:
        model = Model.read()
        report = recalibrate(model, own_dev() + labels)
        for category in CATEGORIES:
            entry = report[category]
            self.stdout.write(
                f"{category}: calibration {entry['calibration']}, {entry['labels']} labels "
                f"({entry['positive']} positive); thresholds hold {entry['thresholds'][0]}, "
                f"refuse {entry['thresholds'][1]}"
            )
        model.trained = {**model.trained, "recalibrated_with_labels": len(labels)}
        path = model.write(output)
        self.stdout.write(f"Wrote {path}.")

    def train(self, source: Path, labels: list, output: Path) -> None:
        if not source.is_dir():
            raise CommandError(f"{source} is not a folder.")
        try:  # the training dependencies are optional (requirements-dev.txt)
            from comments.moderation.language import training
        except ImportError as error:
            raise CommandError(
                f"Training needs the development dependencies ({error.name}): "
                "pip install -r requirements-dev.txt"
            ) from error
        public = training.read_sources(source)
        if not public:
            raise CommandError(f"No known data set found under {source}.")
        data = training.split(public, labels)
        model = training.fit(data, log=self.stdout.write)
        for line in training.dev_report(model, data.dev):
            self.stdout.write(line)
        path = model.write(output)
        self.stdout.write(f"Wrote {path}.")
