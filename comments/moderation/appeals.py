"""Statements of reasons and appeals (the EU Digital Services Act's articles 17 and 20).

When a moderator removes or rejects a comment, its author is told why — which rule, whether a
person or the automatic checks decided, and what they can do — on the page where they see
their own comment and by email when an address is known (``send_statement``, a task). The
statement carries a signed link that works without an account: it opens a page where the
author explains why the comment should be reinstated (``submit``). The appeal waits in the
moderators' "Appeals" queue, and a moderator other than the one who made the decision must
decide it (``before_decision`` refuses the same one; ``comments.moderation.actions`` runs the
decision). Every step is in the audit trail.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from comments import formatting
from comments.domain import CommentRefused
from comments.models import Appeal, Comment, CommentScore, ModerationEvent, Status
from comments.moderation.audit import EventAction, record
from comments.moderation.language_checks import LANGUAGE_PHASES, category_label
from comments.notifications import dispatch
from comments.notifications.tasks import enqueue

logger = logging.getLogger(__name__)

APPEAL_SALT = "comments.moderation.appeal"
# The decisions an author is told of and may appeal. Spam is not: telling a spammer which
# comment was caught only helps them.
APPEALABLE = (Status.REMOVED, Status.REJECTED)
MAX_STATEMENT = Appeal._meta.get_field("statement").max_length


def appeal_window() -> timedelta:
    return timedelta(days=settings.COMMENTS_APPEAL_DAYS)


# --- The statement of reasons --------------------------------------------------------------


@dataclass(frozen=True)
class Statement:
    """Why a comment was removed or rejected, and what its author can do."""

    comment: Comment
    decided_at: datetime
    by_person: bool  # a moderator decided (False: the automatic checks or the system)
    moderator_reason: str  # the moderator's own words, if they gave any
    automated: str  # what the automatic checks had found, if anything
    after_reports: bool  # readers' reports had hidden it first
    appeal: Appeal | None

    @property
    def decision(self) -> str:
        if self.comment.status == Status.REJECTED:
            return _("Your comment was not published.")
        return _("Your comment was removed.")

    @property
    def appeal_until(self) -> datetime:
        return self.decided_at + appeal_window()

    @property
    def can_appeal(self) -> bool:
        return self.appeal is None and timezone.now() < self.appeal_until


def _decision_event(comment: Comment) -> ModerationEvent | None:
    return (
        ModerationEvent.objects.filter(comment=comment, to_status=comment.status)
        .select_related("actor")
        .order_by("-created_at", "-pk")
        .first()
    )


def describe_scores(score: CommentScore | None) -> str:
    """What the language checks found, in words for the author ("" when they decided
    nothing)."""
    if score is None or score.shadow or score.phase not in LANGUAGE_PHASES:
        return ""
    found = category_label(score.top_category)
    words = score.reasons.get(score.top_category) or []
    if words:
        found += " (" + ", ".join(f"“{word}”" for word in words[:5]) + ")"
    return _("Our automatic language check had held it for review: %(found)s.") % {"found": found}


def statement_for(comment: Comment) -> Statement | None:
    """The statement of reasons for ``comment``, or None when it was not removed or rejected."""
    if comment.status not in APPEALABLE:
        return None
    event = _decision_event(comment)
    score = CommentScore.objects.filter(comment=comment).first()
    return Statement(
        comment=comment,
        decided_at=event.created_at if event else comment.created_at,
        by_person=event is not None and event.actor_id is not None,
        moderator_reason=event.reason if event else "",
        automated=describe_scores(score),
        after_reports=ModerationEvent.objects.filter(
            comment=comment, action=EventAction.HIDDEN
        ).exists(),
        appeal=Appeal.objects.filter(comment=comment).select_related("decided_by").first(),
    )


# --- The signed link -----------------------------------------------------------------------


def appeal_token(comment: Comment) -> str:
    return signing.dumps({"c": comment.pk}, salt=APPEAL_SALT)


def appeal_path(comment: Comment) -> str:
    return reverse("comments:appeal", args=[appeal_token(comment)])


def appeal_url(comment: Comment) -> str:
    """The absolute link for emails (``NEWSROOM_SITE_URL``)."""
    return f"{settings.SITE_URL}{appeal_path(comment)}"


def comment_for_token(token: str) -> Comment | None:
    """The comment a link names, if the link is genuine and not older than the appeal window."""
    try:
        data = signing.loads(token, salt=APPEAL_SALT, max_age=appeal_window())
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("c"), int):
        return None
    return Comment.objects.select_related("article", "user").filter(pk=data["c"]).first()


# --- Appealing -----------------------------------------------------------------------------


def submit(*, comment: Comment, statement: str) -> Appeal:
    """Record the author's appeal against the decision on ``comment``: one per comment, within
    ``COMMENTS_APPEAL_DAYS`` of the decision. Raises ``CommentRefused`` otherwise."""
    statement = statement.strip()
    if not statement:
        raise CommentRefused(_("Explain why the comment should be reinstated."), code="empty")
    if len(statement) > MAX_STATEMENT:
        raise CommentRefused(
            _("Keep your explanation to %(limit)d characters (this one has %(count)d).")
            % {"limit": MAX_STATEMENT, "count": len(statement)},
            code="too_long",
        )
    if formatting.has_control_characters(statement):
        raise CommentRefused(
            _("Your explanation contains invisible control characters; please remove them."),
            code="control",
        )
    with transaction.atomic():
        comment = Comment.objects.select_for_update().get(pk=comment.pk)
        reasons = statement_for(comment)
        if reasons is None:
            raise CommentRefused(
                _("This comment is not removed, so there is nothing to appeal."),
                status=409,
                code="not_removed",
            )
        if reasons.appeal is not None:
            raise CommentRefused(
                _("You have already appealed this decision."), status=409, code="appealed"
            )
        if not reasons.can_appeal:
            raise CommentRefused(
                _("The time to appeal this decision has passed."), status=403, code="expired"
            )
        event = _decision_event(comment)
        try:
            with transaction.atomic():
                appeal = Appeal.objects.create(
                    comment=comment,
                    statement=statement,
                    decided_against_by=event.actor if event else None,
                )
        except IntegrityError:  # the same appeal sent twice at once
            raise CommentRefused(
                _("You have already appealed this decision."), status=409, code="appealed"
            ) from None
        record(comment, actor=comment.user, action=EventAction.APPEALED, reason=statement)
        if settings.COMMENTS_NOTIFY_MODERATORS:
            transaction.on_commit(lambda: enqueue(send_appeal_alert, appeal.pk))
    return appeal


# --- Deciding (comments.moderation.actions calls these around every decision) --------------


def before_decision(comment_ids: list[int], actor: AbstractBaseUser | None) -> None:
    """Refuse a moderator deciding an open appeal against their own decision."""
    if actor is None:
        return
    contested = Appeal.objects.open().filter(comment_id__in=comment_ids, decided_against_by=actor)
    if contested.exists():
        raise PermissionDenied(
            _("A different moderator must decide this appeal: you made the decision it contests.")
        )


def after_decision(
    comment_ids: list[int], *, actor: AbstractBaseUser | None, status: str, reason: str = ""
) -> set[int]:
    """Close the open appeals among ``comment_ids`` by the decision just made: approved
    reinstates; rejected, removed or spam upholds; hold leaves them open. Returns the ids of
    the comments whose appeal was closed."""
    if status == Status.APPROVED:
        outcome, action = Appeal.Outcome.REINSTATED, EventAction.APPEAL_GRANTED
    elif status in (*APPEALABLE, Status.SPAM):
        outcome, action = Appeal.Outcome.UPHELD, EventAction.APPEAL_DENIED
    else:
        return set()
    appeals = list(
        Appeal.objects.open().filter(comment_id__in=comment_ids).select_related("comment")
    )
    now = timezone.now()
    for appeal in appeals:
        Appeal.objects.filter(pk=appeal.pk).update(
            decided_at=now, decided_by=actor, outcome=outcome, reason=reason[:300]
        )
        record(appeal.comment, actor=actor, action=action, reason=reason)
    return {appeal.comment_id for appeal in appeals}


def tell_authors(comment_ids: list[int], status: str) -> None:
    """After a removal or rejection commits, email each author who gave an address their
    statement of reasons (a task, outside the request)."""
    if status not in APPEALABLE:
        return
    for pk in comment_ids:
        transaction.on_commit(lambda pk=pk: enqueue(send_statement, pk))


# --- The email -----------------------------------------------------------------------------


def statement_email(comment: Comment) -> EmailMultiAlternatives | None:
    """The statement of reasons as an email to the comment's author (None: no address, or
    the comment is no longer removed or rejected)."""
    address = comment.email
    reasons = statement_for(comment)
    if not address or reasons is None:
        return None
    context = {
        "site_name": settings.SITE_NAME,
        "reasons": reasons,
        "comment": comment,
        "article": comment.article,
        "article_url": f"{settings.SITE_URL}{comment.article.get_absolute_url()}",
        "appeal_url": appeal_url(comment),
    }
    message = EmailMultiAlternatives(
        subject=_("About your comment on “%(headline)s”") % {"headline": comment.article.headline},
        body=render_to_string("comments/email/statement.txt", context),
        to=[address],
        headers={"Auto-Submitted": "auto-generated"},
    )
    message.attach_alternative(
        render_to_string("comments/email/statement.html", context), "text/html"
    )
    return message


@task()
def send_statement(comment_id: int) -> int:
    """Email the author of a removed or rejected comment why, and how to appeal."""
    comment = Comment.objects.select_related("article", "user").filter(pk=comment_id).first()
    message = statement_email(comment) if comment is not None else None
    if message is None:
        return 0
    message.send()
    return 1


@task()
def send_appeal_alert(appeal_id: int) -> int:
    """Tell the moderators who may decide a new appeal (all but the one who made the
    decision) that it waits. Returns how many were told."""
    appeal = (
        Appeal.objects.open()
        .select_related("comment__article", "comment__user")
        .filter(pk=appeal_id)
        .first()
    )
    if appeal is None:
        return 0
    recipients = dispatch.moderators()
    if appeal.decided_against_by_id is not None:
        recipients = recipients.exclude(pk=appeal.decided_against_by_id)
    context = {
        "site_name": settings.SITE_NAME,
        "appeal": appeal,
        "comment": appeal.comment,
        "queue_url": f"{settings.SITE_URL}{reverse('admin:comments_appeal_changelist')}?state=open",
    }
    subject = _("An author appealed a moderation decision on “%(headline)s”") % {
        "headline": appeal.comment.article.headline
    }
    text = render_to_string("comments/email/appeal_alert.txt", context)
    html = render_to_string("comments/email/appeal_alert.html", context)
    told = 0
    for moderator in recipients:
        message = EmailMultiAlternatives(
            subject=subject, body=text, to=[moderator.email],
            headers={"Auto-Submitted": "auto-generated"},
        )  # fmt: skip
        message.attach_alternative(html, "text/html")
        message.send()
        told += 1
    return told
