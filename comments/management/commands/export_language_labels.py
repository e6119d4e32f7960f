"""Write moderators' decisions on scored comments as labelled data for the scorer."""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand, CommandError

from comments.moderation import labels


class Command(BaseCommand):
    help = (
        "Write the labels moderators' decisions left on scored comments to FILE ('-': standard "
        "output) as CSV with the columns text,hate,offensive (0 or 1), one row per comment, "
        "the format the language scorer's retraining reads."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help="The CSV file to write; '-' for standard output.")

    def handle(self, *args, file: str, **options) -> None:
        if file == "-":
            count = labels.export_csv(sys.stdout)
            sys.stdout.flush()
            return
        try:
            with open(file, "w", encoding="utf-8", newline="") as out:
                count = labels.export_csv(out)
        except OSError as error:
            raise CommandError(f"Cannot write {file}: {error.strerror}") from None
        self.stderr.write(f"{count} labels written to {file}.")
