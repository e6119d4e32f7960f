"""What moderators do to comments (decide, feature, annotate, open and close discussions),
and what readers' reports do by themselves. Each function writes the audit trail."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from articles.models import Article
from comments.domain import is_moderator
from comments.models import Appeal, Comment, Flag, Status
from comments.moderation import appeals, labels
from comments.moderation.audit import EventAction, record, record_many
from comments.notifications import dispatch
from comments.spam import get_spam_checker
from newsroom import pagecache

# A moderator's decision: the status it gives and the event it records.
DECISIONS: dict[str, tuple[str, str]] = {
    "approve": (Status.APPROVED, EventAction.APPROVED),
    "reject": (Status.REJECTED, EventAction.REJECTED),
    "spam": (Status.SPAM, EventAction.MARKED_SPAM),
    "remove": (Status.REMOVED, EventAction.REMOVED),
    "hold": (Status.PENDING, EventAction.HELD),
}
DECISION_FOR_STATUS = {status: name for name, (status, _event) in DECISIONS.items()}

Comments = QuerySet[Comment] | Iterable[Comment]


def require_moderator(actor: AbstractBaseUser | None) -> None:
    """``actor`` None is the system (management commands); anyone else must moderate."""
    if actor is not None and not is_moderator(actor):
        raise PermissionDenied(_("Only moderators can do that."))


def _ids(comments: Comments) -> list[int]:
    if isinstance(comments, QuerySet):
        return list(comments.values_list("pk", flat=True))
    return [comment.pk for comment in comments]


def _sync(comments: Comments, pks: set[int], **values) -> None:
    """Keep the caller's instances in step with the rows just updated."""
    if isinstance(comments, QuerySet):
        return
    for comment in comments:
        if comment.pk in pks:
            for name, value in values.items():
                setattr(comment, name, value)


def moderate(
    *, comments: Comments, actor: AbstractBaseUser | None, action: str, reason: str = ""
) -> int:
    """Apply one decision (approve, reject, spam, remove, hold) to every comment given.

    Each comment gets an audit event; its open reports are resolved (except by ``hold``);
    leaving "approved" also ends an editor's pick; articles are recounted. Returns how many
    comments were decided.
    """
    if action not in DECISIONS:
        raise ValueError(f"Unknown moderation action: {action!r}")
    require_moderator(actor)
    target, event = DECISIONS[action]
    ids = _ids(comments)
    with transaction.atomic():
        locked = list(
            Comment.objects.select_for_update()
            .filter(pk__in=ids)
            .order_by("pk")  # a fixed lock order: two moderators cannot deadlock
            .only("pk", "status", "article_id")
        )
        if not locked:
            return 0
        previous = {comment.pk: comment.status for comment in locked}
        appeals.before_decision(list(previous), actor)  # an appeal needs another moderator
        changes = {"status": target} | ({} if target == Status.APPROVED else {"is_featured": False})
        Comment.objects.filter(pk__in=previous).update(**changes)
        if action != "hold":
            Flag.objects.filter(comment_id__in=previous, resolved_at__isnull=True).update(
                resolved_at=timezone.now()
            )
        record_many(
            locked,
            actor=actor,
            action=event,
            to_status=target,
            reason=reason,
            from_statuses=previous,
        )
        appealed = appeals.after_decision(list(previous), actor=actor, status=target, reason=reason)
        labels.record(previous, status=target, actor=actor)  # data for the language scorer
        changed = [pk for pk, was in previous.items() if was != target or pk in appealed]
        appeals.tell_authors(changed, target)  # the statement of reasons, by email
        for article_id in sorted({comment.article_id for comment in locked}):
            Comment.objects.recount(article_id)
            pagecache.article_changed(article_id)
        _teach_spam_checker(target, previous)
        if target == Status.APPROVED:
            approved = [pk for pk, was in previous.items() if was != Status.APPROVED]
            if approved:  # subscribers hear of a held comment only now
                dispatch.comments_approved(approved)
    _sync(comments, set(previous), **changes)
    return len(locked)


def decide_appeal(
    *, appeal: Appeal, actor: AbstractBaseUser | None, reinstate: bool, reason: str = ""
) -> bool:
    """Decide an author's appeal: reinstate the comment (approve it) or uphold the decision
    (apply it again, which tells the author). The moderator who made the contested decision
    cannot (``PermissionDenied``). Returns False if the appeal was already decided."""
    require_moderator(actor)
    with transaction.atomic():
        appeal = Appeal.objects.select_for_update().select_related("comment").get(pk=appeal.pk)
        if appeal.decided_at is not None:
            return False
        status = appeal.comment.status
        if reinstate:
            action = "approve"
        else:  # the contested decision, made again (a hold meanwhile becomes a removal)
            action = DECISION_FOR_STATUS[status] if status in appeals.APPEALABLE else "remove"
        moderate(comments=[appeal.comment], actor=actor, action=action, reason=reason)
    return True


def _teach_spam_checker(target: str, previous: dict[int, str]) -> None:
    """Tell the spam checker (if any) where moderators disagreed with it, after commit."""
    checker = get_spam_checker()
    if checker is None:
        return
    if target == Status.SPAM:
        pks, send = [pk for pk, was in previous.items() if was != Status.SPAM], checker.submit_spam
    elif target == Status.APPROVED:
        pks, send = [pk for pk, was in previous.items() if was == Status.SPAM], checker.submit_ham
    else:
        return

    def teach() -> None:
        for comment in Comment.objects.filter(pk__in=pks).select_related("article", "user"):
            send(comment)

    if pks:
        transaction.on_commit(teach)


def reported(comment: Comment) -> bool:
    """After a new report: with ``COMMENTS_REPORTS_TO_HIDE`` open reports from distinct
    readers, an approved comment is hidden (back to pending) until a moderator decides.
    Returns True if this report hid it."""
    threshold = settings.COMMENTS_REPORTS_TO_HIDE
    if threshold <= 0 or comment.status != Status.APPROVED:
        return False
    open_reports = Flag.objects.filter(comment_id=comment.pk, resolved_at__isnull=True).count()
    if open_reports < threshold:
        return False
    with transaction.atomic():
        # Conditional: of two reports arriving together, only one hides and records it.
        if not Comment.objects.filter(pk=comment.pk, status=Status.APPROVED).update(
            status=Status.PENDING
        ):
            return False
        record(
            comment,
            action=EventAction.HIDDEN,
            from_status=Status.APPROVED,
            to_status=Status.PENDING,
            reason=ngettext(
                "Hidden after %(count)d report.", "Hidden after %(count)d reports.", open_reports
            )
            % {"count": open_reports},
        )
        Comment.objects.recount(comment.article_id)
        pagecache.article_changed(comment.article_id)
    comment.status = Status.PENDING
    return True


def set_featured(
    *, comments: Comments, actor: AbstractBaseUser | None, featured: bool, reason: str = ""
) -> int:
    """Make comments editor's picks (shown first), or stop. Only approved comments that
    their author has not deleted can be picked. Returns how many changed."""
    require_moderator(actor)
    ids = _ids(comments)
    with transaction.atomic():
        candidates = Comment.objects.filter(pk__in=ids, is_featured=not featured)
        if featured:
            candidates = candidates.visible()
        changed = list(candidates.select_for_update().order_by("pk").only("pk", "article_id"))
        pks = {comment.pk for comment in changed}
        Comment.objects.filter(pk__in=pks).update(is_featured=featured)
        for article_id in sorted({comment.article_id for comment in changed}):
            pagecache.article_changed(article_id)
        record_many(
            changed,
            actor=actor,
            action=EventAction.FEATURED if featured else EventAction.UNFEATURED,
            reason=reason,
        )
    _sync(comments, pks, is_featured=featured)
    return len(changed)


def set_note(*, comment: Comment, actor: AbstractBaseUser | None, note: str) -> bool:
    """Replace the moderators' note on a comment (never shown to readers). Returns True if
    it changed; the audit event keeps the new note."""
    require_moderator(actor)
    with transaction.atomic():
        current = (
            Comment.objects.select_for_update()
            .values_list("moderator_note", flat=True)
            .get(pk=comment.pk)
        )
        if current == note:
            return False
        Comment.objects.filter(pk=comment.pk).update(moderator_note=note)
        record(comment, actor=actor, action=EventAction.NOTED, reason=note)
    comment.moderator_note = note
    return True


def apply_moderator_edit(
    *,
    comment: Comment,
    actor: AbstractBaseUser | None,
    status: str,
    is_featured: bool,
    moderator_note: str,
    reason: str = "",
) -> list[str]:
    """Apply a moderator's edit of one comment (the admin's change form) through the services
    above: a new status is a decision, then the note, then the editor's pick. Returns
    warnings for the moderator (a pick that could not be made)."""
    current = Comment.objects.only("status", "moderator_note").get(pk=comment.pk)
    if status != current.status:
        moderate(comments=[comment], actor=actor, action=DECISION_FOR_STATUS[status], reason=reason)
    if moderator_note != current.moderator_note:
        set_note(comment=comment, actor=actor, note=moderator_note)
    warnings = []
    is_picked = Comment.objects.filter(pk=comment.pk, is_featured=True).exists()
    if is_featured != is_picked:
        changed = set_featured(comments=[comment], actor=actor, featured=is_featured, reason=reason)
        if not changed:
            comment.is_featured = is_picked
            warnings.append(_("Only approved comments can be editor's picks."))
    return warnings


def close_discussion(*, article: Article, actor: AbstractBaseUser | None, reason: str = "") -> bool:
    """Stop new comments on ``article`` (existing ones stay). Returns False if already closed."""
    require_moderator(actor)
    with transaction.atomic():
        if not Article.objects.filter(pk=article.pk, comments_open=True).update(
            comments_open=False
        ):
            return False
        pagecache.article_changed(article.pk, article.slug)
        record(None, actor=actor, action=EventAction.CLOSED, article=article, reason=reason)
    article.comments_open = False
    return True


def open_discussion(*, article: Article, actor: AbstractBaseUser | None, reason: str = "") -> bool:
    """Let readers comment on ``article`` again. A closing time already past is cleared, so
    the discussion really reopens. Returns False if it was already open."""
    require_moderator(actor)
    changes: dict = {}
    if not article.comments_open:
        changes["comments_open"] = True
    closing = article.comments_closing_at()
    if closing is not None and closing <= timezone.now():
        changes["comments_close_after_days"] = None
    if not changes:
        return False
    with transaction.atomic():
        Article.objects.filter(pk=article.pk).update(**changes)
        pagecache.article_changed(article.pk, article.slug)
        record(None, actor=actor, action=EventAction.REOPENED, article=article, reason=reason)
    for name, value in changes.items():
        setattr(article, name, value)
    return True
