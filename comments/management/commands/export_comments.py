"""Write discussions as JSON (docs/comments-export.md): one article's, or the whole site's."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from articles.models import Article
from comments import transfer


class Command(BaseCommand):
    help = (
        "Export comments as JSON: ids, parent ids, authors (emails only with --with-emails), "
        "text, times, status and vote counts. Progress goes to standard error."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--article", help="Slug of the one article to export (default: all).")
        parser.add_argument(
            "--output", "-o", default="-", help="File to write (default: standard output)."
        )
        parser.add_argument(
            "--with-emails",
            action="store_true",
            help="Include commenters' email addresses (personal data: keep the file safe).",
        )

    def handle(self, *args, article: str | None, output: str, with_emails: bool, **options):
        articles = Article.objects.order_by("pk")
        if article:
            articles = articles.filter(slug=article)
            if not articles.exists():
                raise CommandError(f"No article with the slug {article!r}.")
        verbose = options["verbosity"] > 0

        def progress(done: int, total: int) -> None:
            if verbose:
                self.stderr.write(f"Exported {done} of {total} comments")

        document = transfer.export(
            articles=articles.filter(comments__isnull=False).distinct()
            if not article
            else articles,
            with_emails=with_emails,
            progress=progress,
        )
        text = json.dumps(document, ensure_ascii=False, indent=1)
        if output == "-":
            self.stdout.write(text)
        else:
            with open(output, "w", encoding="utf-8") as handle:
                handle.write(text + "\n")
