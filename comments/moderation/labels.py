"""Moderators' decisions on scored comments, kept as labelled data for the scorer.

An approval says the comment is neither hate nor offensive. A rejection, removal or spam
verdict labels the categories the checks had flagged (a score at or above the category's
"hold at"): the moderator agreed with the scorer there. A rejection of a comment the scorer
found nothing in says nothing about its language (it may be off-topic), so it is not
labelled. "Hold" decides nothing. Each comment keeps its latest label; ``export_csv`` writes
them in the format the scorer's retraining reads: ``text,hate,offensive`` (0 or 1).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import TextIO

from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone

from comments.models import Comment, CommentScore, LanguageLabel, Status
from comments.moderation import language
from comments.moderation.language.labels import Example
from comments.moderation.language_checks import current_policy

COLUMNS = ("text", "hate", "offensive")
LABELLED = {Status.APPROVED, Status.REJECTED, Status.REMOVED, Status.SPAM}


def _flagged(score: CommentScore, thresholds) -> set[str]:
    flagged = set()
    for category in language.CATEGORIES:
        hold_at, refuse_at = thresholds.get(category, (None, None))
        lowest = min((t for t in (hold_at, refuse_at) if t is not None), default=None)
        if lowest is not None and score.scores.get(category, 0.0) >= lowest:
            flagged.add(category)
    return flagged


def record(comment_ids: Iterable[int], *, status: str, actor: AbstractBaseUser | None) -> int:
    """Label the scored comments among ``comment_ids`` by the decision ``status``. Returns how
    many labels were written."""
    if status not in LABELLED:
        return 0
    scores = list(
        CommentScore.objects.filter(comment_id__in=list(comment_ids)).select_related("comment")
    )
    if not scores:
        return 0
    thresholds = current_policy().thresholds
    now = timezone.now()
    labels = []
    for score in scores:
        flagged = set() if status == Status.APPROVED else _flagged(score, thresholds)
        if status != Status.APPROVED and not flagged:
            continue
        labels.append(
            LanguageLabel(
                comment=score.comment,
                text=score.comment.body,
                hate=language.HATE in flagged,
                offensive=language.OFFENSIVE in flagged,
                decision=status,
                decided_by=actor,
                decided_at=now,
            )
        )
    LanguageLabel.objects.bulk_create(
        labels,
        update_conflicts=True,
        unique_fields=["comment"],
        update_fields=["text", "hate", "offensive", "decision", "decided_by", "decided_at"],
    )
    return len(labels)


def export_csv(out: TextIO) -> int:
    """Write every label as CSV (``text,hate,offensive``, a header row first). Returns how
    many rows."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    count = 0
    for label in LanguageLabel.objects.order_by("decided_at", "pk").iterator():
        writer.writerow([label.text, int(label.hate), int(label.offensive)])
        count += 1
    return count


def examples() -> list[Example]:
    """Every label as a training example, for ``manage.py train_language_model``."""
    return [
        Example(text=text, hate=int(hate), offensive=int(offensive), source="moderators")
        for text, hate, offensive in LanguageLabel.objects.order_by("decided_at", "pk")
        .values_list("text", "hate", "offensive")
        .iterator()
    ]


def label_of(comment: Comment) -> LanguageLabel | None:
    return LanguageLabel.objects.filter(comment=comment).first()
