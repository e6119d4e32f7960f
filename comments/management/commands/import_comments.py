"""Read discussions written by export_comments into this site (its articles must exist)."""

from __future__ import annotations

import json
import sys

from django.core.management.base import BaseCommand, CommandError

from comments import transfer


class Command(BaseCommand):
    help = (
        "Import comments from an export_comments JSON file, keeping ids, trees, times, status "
        "and vote counts. Importing the same file again adds nothing."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help="The JSON file ('-' reads standard input).")

    def handle(self, *args, file: str, **options) -> None:
        try:
            if file == "-":
                document = json.load(sys.stdin)
            else:
                with open(file, encoding="utf-8") as handle:
                    document = json.load(handle)
        except (OSError, ValueError) as error:
            raise CommandError(f"Cannot read {file}: {error}") from None
        verbose = options["verbosity"] > 0

        def progress(done: int, total: int) -> None:
            if verbose:
                self.stderr.write(f"Imported {done} of {total} comments")

        try:
            counts = transfer.import_document(document, progress=progress)
        except (transfer.ImportRefused, KeyError, TypeError) as error:
            message = error if isinstance(error, transfer.ImportRefused) else f"bad field {error}"
            raise CommandError(f"Nothing imported: {message}") from None
        self.stdout.write(
            f"{counts['imported']} comments imported, {counts['skipped']} already here."
        )
