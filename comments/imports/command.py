"""The management command both importers share: a progress bar, --dry-run, --strict, and the
closing summary."""

from __future__ import annotations

import os
from contextlib import nullcontext

from django.core.management.base import BaseCommand, CommandError, OutputWrapper
from django.db import transaction
from django.utils.translation import gettext as _

from comments.imports.source import ImportFailed
from comments.imports.summary import Summary

BAR_WIDTH = 30


class ProgressBar:
    """``[#####.....]  50% reading`` redrawn in place on a terminal; on anything else (a log,
    a test) one line per tenth, so a long run still shows it moves."""

    def __init__(self, out: OutputWrapper, *, enabled: bool = True) -> None:
        self.out = out
        self.enabled = enabled
        self.tty = enabled and out.isatty()
        self.last: tuple[str, int] | None = None

    def update(self, done: int, total: int, label: str = "") -> None:
        if not self.enabled:
            return
        percent = 100 if total <= 0 else min(100, done * 100 // total)
        step = percent if self.tty else percent // 10 * 10
        if self.last == (label, step):
            return
        self.last = (label, step)
        filled = BAR_WIDTH * percent // 100
        bar = f"[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {percent:3d}% {label}".rstrip()
        if self.tty:
            self.out.write(f"\r{bar}", ending="")
            self.out.flush()
        else:
            self.out.write(bar)

    def finish(self) -> None:
        if self.tty and self.last is not None:
            self.out.write("")


class _Rollback(Exception):
    pass


class ImportCommand(BaseCommand):
    """Subclasses say how to import a file (``importer``); this runs it."""

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help=_("The export file (XML)."))
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help=_("Read and check everything, report what would change, write nothing."),
        )
        parser.add_argument(
            "--strict",
            action="store_true",
            help=_("All or nothing: one broken article or a broken file imports nothing."),
        )

    def importer(self, path: str, *, strict: bool, progress, options: dict):
        raise NotImplementedError

    def handle(self, *args, file: str, dry_run: bool, strict: bool, **options) -> None:
        if not os.path.isfile(file):
            raise CommandError(_("No such file: %s") % file)
        bar = ProgressBar(self.stderr, enabled=options["verbosity"] > 0)
        run = self.importer(file, strict=strict, progress=bar.update, options=options)
        failure: ImportFailed | None = None
        try:
            with transaction.atomic() if dry_run or strict else nullcontext():
                try:
                    run.run()
                except ImportFailed as error:
                    if strict:
                        raise
                    failure = error
                if dry_run:
                    raise _Rollback
        except _Rollback:
            pass
        except ImportFailed as error:
            bar.finish()
            raise CommandError(_("Nothing imported (--strict): %s") % error) from None
        bar.finish()
        summary: Summary = run.summary
        for line in summary.lines(dry_run=dry_run):
            self.stdout.write(line)
        if failure is not None:
            if not dry_run and (summary.articles or summary.comments):
                raise CommandError(
                    _("%s What came before that point was imported; run again once it is fixed.")
                    % failure
                )
            raise CommandError(_("Nothing imported: %s") % failure)
