"""What moderators do, what readers' reports do, the queues and the audit trail."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from comments import moderation, services
from comments.models import Comment, Flag, ModerationEvent, Status
from comments.moderation import EventAction, Queue
from tests.comments.moderation_support import (
    events,
    guest,
    make_comment_row,
    report,
)
from tests.helpers import make_article, make_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("moderation_policy")]


def count(article) -> int:
    article.refresh_from_db()
    return article.comment_count


# --- Reports ---------------------------------------------------------------------------------


def test_third_distinct_report_hides_an_approved_comment_until_a_moderator_decides(article):
    comment = make_comment_row(article)
    report(comment, 2)
    assert moderation.reported(comment) is False
    assert Comment.objects.get(pk=comment.pk).status == Status.APPROVED

    report(comment, 1, start=2)
    assert moderation.reported(comment) is True

    comment.refresh_from_db()
    assert comment.status == Status.PENDING
    assert count(article) == 0
    assert events(comment) == [("hidden", None, "approved", "pending", "Hidden after 3 reports.")]


def test_reports_through_the_reader_service_hide_at_the_threshold(article):
    comment = make_comment_row(article)
    for n in range(3):
        services.report(
            comment=comment,
            reporter=guest(key=f"reader-{n}", ip=f"192.0.2.{n + 1}"),
            reason="abuse",
            details="",
        )
    comment.refresh_from_db()
    assert (comment.status, comment.flag_count) == (Status.PENDING, 3)


def test_the_same_reader_reporting_twice_counts_once(article):
    comment = make_comment_row(article)
    reader = guest(key="one-reader")
    for _ in range(3):
        services.report(comment=comment, reporter=reader, reason="abuse", details="")
    comment.refresh_from_db()
    assert (comment.status, comment.flag_count) == (Status.APPROVED, 1)


def test_report_threshold_is_configurable(article, settings):
    settings.COMMENTS_REPORTS_TO_HIDE = 1
    comment = make_comment_row(article)
    report(comment)
    assert moderation.reported(comment) is True


def test_reports_never_hide_when_the_threshold_is_zero(article, settings):
    settings.COMMENTS_REPORTS_TO_HIDE = 0
    comment = make_comment_row(article)
    report(comment, 5)
    assert moderation.reported(comment) is False


def test_resolved_reports_do_not_count_towards_hiding_again(article, moderator):
    comment = make_comment_row(article)
    report(comment, 3)
    moderation.reported(comment)
    moderation.moderate(comments=[comment], actor=moderator, action="approve")

    report(comment, 2, start=3)
    assert moderation.reported(comment) is False
    report(comment, 1, start=5)
    assert moderation.reported(comment) is True


def test_reports_on_a_pending_comment_record_nothing_more(article):
    comment = make_comment_row(article, status=Status.PENDING)
    report(comment, 3)
    assert moderation.reported(comment) is False
    assert events(comment) == []


# --- Decisions -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("action", "status", "event"),
    [
        ("approve", Status.APPROVED, "approved"),
        ("reject", Status.REJECTED, "rejected"),
        ("spam", Status.SPAM, "marked_spam"),
        ("remove", Status.REMOVED, "removed"),
    ],
)
def test_each_decision_sets_the_status_and_records_who_what_and_why(
    article, moderator, action, status, event
):
    comment = make_comment_row(article, status=Status.PENDING)

    decided = moderation.moderate(
        comments=[comment], actor=moderator, action=action, reason="House rules"
    )

    assert decided == 1
    assert comment.status == status
    assert Comment.objects.get(pk=comment.pk).status == status
    assert events(comment) == [(event, "mod", "pending", status, "House rules")]
    assert ModerationEvent.objects.get(comment=comment).article_id == article.pk


def test_approving_counts_the_comment_and_removing_uncounts_it(article, moderator):
    comment = make_comment_row(article, status=Status.PENDING)
    assert count(article) == 0
    moderation.moderate(comments=[comment], actor=moderator, action="approve")
    assert count(article) == 1
    moderation.moderate(comments=[comment], actor=moderator, action="remove")
    assert count(article) == 0


def test_bulk_decision_recounts_every_article_and_writes_one_event_each(moderator):
    first, second = make_article(), make_article()
    comments = [make_comment_row(first, status=Status.PENDING) for _ in range(2)]
    comments.append(make_comment_row(second, status=Status.PENDING))

    decided = moderation.moderate(
        comments=Comment.objects.filter(pk__in=[c.pk for c in comments]),
        actor=moderator,
        action="approve",
    )

    assert decided == 3
    assert (count(first), count(second)) == (2, 1)
    assert ModerationEvent.objects.filter(action=EventAction.APPROVED).count() == 3


def test_a_decision_resolves_the_comments_open_reports(article, moderator):
    comment = make_comment_row(article)
    flags = report(comment, 2)
    moderation.moderate(comments=[comment], actor=moderator, action="reject")
    assert all(f.resolved_at for f in Flag.objects.filter(pk__in=[f.pk for f in flags]))


def test_approving_a_reported_comment_dismisses_the_reports_and_shows_it_again(article, moderator):
    comment = make_comment_row(article)
    report(comment, 3)
    moderation.reported(comment)
    moderation.moderate(comments=[comment], actor=moderator, action="approve", reason="Fair")
    comment.refresh_from_db()
    assert comment.status == Status.APPROVED
    assert count(article) == 1
    assert not Flag.objects.filter(comment=comment, resolved_at__isnull=True).exists()
    assert [e[0] for e in events(comment)] == ["hidden", "approved"]


def test_holding_a_comment_keeps_its_reports_open(article, moderator):
    comment = make_comment_row(article)
    report(comment, 1)
    moderation.moderate(comments=[comment], actor=moderator, action="hold")
    assert Comment.objects.get(pk=comment.pk).status == Status.PENDING
    assert Flag.objects.get(comment=comment).resolved_at is None


def test_a_comment_that_leaves_approved_stops_being_an_editors_pick(article, moderator):
    comment = make_comment_row(article, is_featured=True)
    moderation.moderate(comments=[comment], actor=moderator, action="remove")
    assert Comment.objects.get(pk=comment.pk).is_featured is False


def test_removing_a_comment_with_replies_keeps_the_thread(article, moderator):
    parent = make_comment_row(article)
    reply = make_comment_row(article, parent=parent)
    moderation.moderate(comments=[parent], actor=moderator, action="remove")
    reply.refresh_from_db()
    assert reply.parent_id == parent.pk
    assert Comment.objects.get(pk=parent.pk).status == Status.REMOVED
    assert count(article) == 1


def test_only_moderators_can_decide(article):
    comment = make_comment_row(article, status=Status.PENDING)
    with pytest.raises(PermissionDenied):
        moderation.moderate(comments=[comment], actor=make_user(), action="approve")
    assert Comment.objects.get(pk=comment.pk).status == Status.PENDING


def test_editors_can_moderate_too(article, editor):
    comment = make_comment_row(article, status=Status.PENDING)
    assert moderation.moderate(comments=[comment], actor=editor, action="approve") == 1


def test_unknown_decision_is_an_error(article, moderator):
    with pytest.raises(ValueError):
        moderation.moderate(comments=[], actor=moderator, action="delete")


class TeachableChecker:
    taught: list[tuple[str, int]] = []

    def check(self, **kwargs):
        from comments.spam import Verdict

        return Verdict.HAM

    def submit_spam(self, comment):
        self.taught.append(("spam", comment.pk))

    def submit_ham(self, comment):
        self.taught.append(("ham", comment.pk))


def test_moderators_decisions_teach_the_spam_checker(
    article, moderator, settings, django_capture_on_commit_callbacks
):
    settings.COMMENTS_SPAM_CHECKER = "tests.comments.test_moderation_actions.TeachableChecker"
    TeachableChecker.taught = []
    missed = make_comment_row(article)
    caught = make_comment_row(article, status=Status.SPAM)
    with django_capture_on_commit_callbacks(execute=True):
        moderation.moderate(comments=[missed], actor=moderator, action="spam")
        moderation.moderate(comments=[caught], actor=moderator, action="approve")
    assert TeachableChecker.taught == [("spam", missed.pk), ("ham", caught.pk)]


# --- Editor's picks and notes ----------------------------------------------------------------


def test_featuring_picks_only_approved_comments(article, moderator):
    approved = make_comment_row(article)
    pending = make_comment_row(article, status=Status.PENDING)
    changed = moderation.set_featured(
        comments=[approved, pending], actor=moderator, featured=True, reason="Insightful"
    )
    assert changed == 1
    assert Comment.objects.get(pk=approved.pk).is_featured is True
    assert Comment.objects.get(pk=pending.pk).is_featured is False
    assert events(approved) == [("featured", "mod", "", "", "Insightful")]
    assert events(pending) == []


def test_unfeaturing_records_an_event(article, moderator):
    comment = make_comment_row(article, is_featured=True)
    assert moderation.set_featured(comments=[comment], actor=moderator, featured=False) == 1
    assert comment.is_featured is False
    assert [e[0] for e in events(comment)] == ["unfeatured"]


def test_moderators_note_is_saved_and_kept_in_the_history(article, moderator):
    comment = make_comment_row(article)
    assert moderation.set_note(comment=comment, actor=moderator, note="Watch this one") is True
    assert moderation.set_note(comment=comment, actor=moderator, note="Watch this one") is False
    assert Comment.objects.get(pk=comment.pk).moderator_note == "Watch this one"
    assert events(comment) == [("noted", "mod", "", "", "Watch this one")]


def test_a_moderators_edit_decides_notes_and_picks_in_one_go(article, moderator):
    comment = make_comment_row(article, status=Status.PENDING)
    warnings = moderation.apply_moderator_edit(
        comment=comment,
        actor=moderator,
        status=Status.APPROVED,
        is_featured=True,
        moderator_note="Checked the facts",
        reason="Accurate",
    )
    comment.refresh_from_db()
    assert warnings == []
    assert (comment.status, comment.is_featured, comment.moderator_note) == (
        Status.APPROVED,
        True,
        "Checked the facts",
    )
    assert [e[0] for e in events(comment)] == ["approved", "noted", "featured"]


def test_a_moderators_edit_cannot_pick_a_rejected_comment(article, moderator):
    comment = make_comment_row(article, status=Status.PENDING)
    warnings = moderation.apply_moderator_edit(
        comment=comment, actor=moderator, status=Status.REJECTED, is_featured=True,
        moderator_note="",
    )  # fmt: skip
    assert warnings == ["Only approved comments can be editor's picks."]
    assert Comment.objects.get(pk=comment.pk).is_featured is False


# --- Discussions -----------------------------------------------------------------------------


def test_closing_a_discussion_stops_comments_and_is_recorded(article, moderator):
    assert moderation.close_discussion(article=article, actor=moderator, reason="Legal") is True
    assert moderation.close_discussion(article=article, actor=moderator) is False
    article.refresh_from_db()
    assert article.accepts_comments() is False
    event = ModerationEvent.objects.get(action=EventAction.CLOSED)
    assert (event.article, event.actor, event.comment, event.reason) == (
        article,
        moderator,
        None,
        "Legal",
    )


def test_reopening_a_discussion_lets_readers_comment_again(article, moderator):
    moderation.close_discussion(article=article, actor=moderator)
    assert moderation.open_discussion(article=article, actor=moderator) is True
    article.refresh_from_db()
    assert article.accepts_comments() is True
    assert ModerationEvent.objects.filter(action=EventAction.REOPENED, article=article).exists()


def test_reopening_clears_a_closing_time_already_past(moderator):
    article = make_article(
        published_at=timezone.now() - timedelta(days=10), comments_close_after_days=3
    )
    assert article.accepts_comments() is False
    assert moderation.open_discussion(article=article, actor=moderator) is True
    article.refresh_from_db()
    assert (article.comments_close_after_days, article.accepts_comments()) == (None, True)


def test_reopening_an_open_discussion_changes_nothing(article, moderator):
    assert moderation.open_discussion(article=article, actor=moderator) is False
    assert not ModerationEvent.objects.exists()


# --- Queues ----------------------------------------------------------------------------------


def test_queues_hold_pending_reported_spam_and_recent_comments(article):
    pending = make_comment_row(article, status=Status.PENDING)
    reported_comment = make_comment_row(article)
    report(reported_comment, 1)
    resolved = make_comment_row(article)
    Flag.objects.filter(pk=report(resolved, 1)[0].pk).update(resolved_at=timezone.now())
    spam_comment = make_comment_row(article, status=Status.SPAM)
    old = make_comment_row(article, created_at=timezone.now() - timedelta(days=2))

    def queue(name):
        return set(moderation.in_queue(Comment.objects.all(), name))

    assert queue(Queue.PENDING) == {pending}
    assert queue(Queue.REPORTED) == {reported_comment}
    assert queue(Queue.SPAM) == {spam_comment}
    assert old not in queue(Queue.RECENT)
    assert queue(Queue.RECENT) == {pending, reported_comment, resolved, spam_comment}
    assert moderation.queue_counts() == {
        "pending": 1,
        "reported": 1,
        "spam": 1,
        "recent": 4,
        "appeals": 0,
    }
