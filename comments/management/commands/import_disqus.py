"""Import a Disqus export: threads matched to articles, posts threaded with their parents."""

from __future__ import annotations

from django.core.management.base import CommandError

from comments.imports.command import ImportCommand
from comments.imports.disqus import DisqusImport, read_mapping
from comments.imports.source import ImportFailed


class Command(ImportCommand):
    help = (
        "Import a Disqus export (XML): each thread goes to the article its link or identifier "
        "names (an old WordPress permalink or post id works), or the one --map gives; posts "
        "keep their parents, deleted and spam flags and names. Unmatched threads are listed "
        "at the end. Running the same file again changes nothing."
    )

    def add_arguments(self, parser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--map",
            metavar="FILE.csv",
            help="CSV rows of 'thread link or identifier, article slug or address'.",
        )

    def importer(self, path: str, *, strict: bool, progress, options: dict) -> DisqusImport:
        try:
            mapping = read_mapping(options["map"]) if options.get("map") else {}
        except ImportFailed as error:
            raise CommandError(str(error)) from None
        return DisqusImport(path, mapping=mapping, strict=strict, progress=progress)
