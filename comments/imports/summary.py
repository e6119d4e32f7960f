"""What an import run did, for its closing summary."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from comments.domain import CommentRefused


@dataclass
class Summary:
    articles: Counter = field(default_factory=Counter)  # created / updated / unchanged
    comments: Counter = field(default_factory=Counter)  # created / updated / unchanged / refused
    skipped: Counter = field(default_factory=Counter)  # pages, attachments, pingbacks...
    orphans: int = 0
    problems: list[str] = field(default_factory=list)
    unmatched: list[str] = field(default_factory=list)

    MAX_LISTED = 50  # problems listed one by one; beyond that, counted

    def problem(self, text: str) -> None:
        if len(self.problems) < self.MAX_LISTED:
            self.problems.append(text)
        elif len(self.problems) == self.MAX_LISTED:
            self.problems.append(_("…and more problems (not listed)."))

    def counts(self) -> tuple:
        """The counters as they are (to restore when an article's transaction rolls back)."""
        return (self.articles.copy(), self.comments.copy(), self.skipped.copy(), self.orphans)

    def restore(self, counts: tuple) -> None:
        self.articles, self.comments, self.skipped, self.orphans = (
            counts[0].copy(),
            counts[1].copy(),
            counts[2].copy(),
            counts[3],
        )

    def lines(self, *, dry_run: bool = False) -> list[str]:
        def counts(counter: Counter, names: tuple[str, ...]) -> str:
            return ", ".join(f"{counter[name]} {name}" for name in names)

        lines = [_("Dry run: nothing was written.") if dry_run else _("Import finished.")]
        if self.articles:
            lines.append(
                _("Articles: %s.") % counts(self.articles, ("created", "updated", "unchanged"))
            )
        lines.append(
            _("Comments: %s.")
            % counts(self.comments, ("created", "updated", "unchanged", "refused"))
        )
        if self.orphans:
            lines.append(
                _("%d replies whose parent is missing were attached as new threads.") % self.orphans
            )
        if self.skipped:
            lines.append(
                _("Skipped: %s.")
                % ", ".join(f"{n} {what}" for what, n in sorted(self.skipped.items()))
            )
        if self.unmatched:
            lines.append(_("Threads that match no article (give them in --map):"))
            lines.extend(f"  {thread}" for thread in self.unmatched)
        if self.problems:
            lines.append(_("Problems:"))
            lines.extend(f"  {problem}" for problem in self.problems)
        return [printable(line) for line in lines]


def printable(text: str) -> str:
    """A line quoting the file (thread links, titles, ids) made safe for a terminal: control
    and formatting characters (an escape sequence, a right-to-left override) become "?"."""
    return "".join(char if char.isprintable() else "?" for char in text)


def refused_comment(summary: Summary, where: str, source_id: str, error: CommentRefused) -> None:
    summary.comments["refused"] += 1
    summary.problem(
        _("Comment %(id)s on %(where)s refused: %(reason)s")
        % {"id": source_id, "where": where, "reason": error.message}
    )
