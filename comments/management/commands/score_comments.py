"""Try the checks on real text: one comment per input line, one decision per output line."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator

from django.core.management.base import BaseCommand, CommandError
from django.test.utils import override_settings
from django.utils import timezone

from articles.models import Article
from comments import moderation, services
from comments.domain import Commenter, CommentRefused
from comments.models import Status
from comments.moderation import language
from comments.moderation.language_checks import LanguageRefused

# What a new guest's comment on an open article meets, without the machinery that guards
# the site (rate limits, repeats) or asks a third party about spam: none of them read words.
TRIAL_SETTINGS = {
    "COMMENTS_RATE_LIMITS": "",
    "COMMENTS_EDIT_RATE_LIMITS": "",
    "COMMENTS_DUPLICATE_WINDOW": 0,
    "COMMENTS_SPAM_CHECKER": "",
}


def lines(stream: Iterable[bytes | str]) -> Iterator[str]:
    """The stream's lines without their ends, split at "\\n" only (a "\\r\\n" end counts as
    one); bytes are read as UTF-8, undecodable bytes replaced."""
    for raw in stream:
        line = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
        if line.endswith("\n"):
            line = line[:-1]
        if line.endswith("\r"):
            line = line[:-1]
        yield line


def decide(body: str) -> tuple[str, dict[str, float]]:
    """What the site would do with ``body`` from a new guest on an open article: "publish",
    "hold" or "refuse", and the language scores (per category). Writes nothing."""
    article = Article(comments_open=True, comments_premoderated=False)
    try:
        services.check_shape(body=body)
        screening = moderation.assess(
            article=article, parent=None, author=Commenter(name="guest"), body=body,
            now=timezone.now(),
        )  # fmt: skip
    except LanguageRefused as refusal:
        return "refuse", refusal.verdict.scores
    except CommentRefused:
        # Refused before the language phases (word rules, links, shape): scored for the
        # record by the offline scorer alone.
        return "refuse", dict(language.score(body).scores)
    decision = "publish" if screening.status == Status.APPROVED else "hold"
    return decision, screening.language.scores if screening.language else {}


def format_line(decision: str, scores: dict[str, float]) -> str:
    """``DECISION hate=0.123 offensive=0.045``: categories in ``language.CATEGORIES`` order."""
    values = " ".join(f"{name}={scores.get(name, 0.0):.3f}" for name in language.CATEGORIES)
    return f"{decision} {values}"


class Command(BaseCommand):
    help = (
        "Read comments, one per line, from FILE ('-': standard input) and print, for each line, "
        "one line: publish, hold or refuse (what the site would do with it from a new guest on "
        "an open article: word rules, links, the language scorer and the external scorer as "
        "configured; no rate limits, nothing written), then the scores, e.g. "
        "'hold hate=0.734 offensive=0.120'."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help="A text file, one comment per line; '-' for stdin.")

    def handle(self, *args, file: str, **options) -> None:
        try:
            stream = sys.stdin.buffer if file == "-" else open(file, "rb")  # noqa: SIM115
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}") from None
        try:
            with override_settings(**TRIAL_SETTINGS):
                for body in lines(stream):
                    self.stdout.write(format_line(*decide(body)))
                    self.stdout.flush()
        finally:
            if stream is not sys.stdin.buffer:
                stream.close()
