"""Import a WordPress export (WXR): posts, their comments, and redirects from old permalinks."""

from __future__ import annotations

from comments.imports.command import ImportCommand
from comments.imports.wordpress import WordPressImport


class Command(ImportCommand):
    help = (
        "Import a WordPress export (Tools → Export, WXR): posts become articles (drafts, "
        "scheduled and published), their comments threads, their old permalinks redirects. "
        "Pages and attachments are skipped. Running the same file again changes nothing."
    )

    def importer(self, path: str, *, strict: bool, progress, options: dict) -> WordPressImport:
        def reading(done: int, total: int) -> None:
            progress(done, total, "reading")

        return WordPressImport(path, strict=strict, progress=reading)
