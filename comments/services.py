"""Everything that changes comments: posting, editing, deleting, voting, reporting.

Views, the admin and management commands call these functions; they take keyword arguments
and explicit actors, run in a transaction, and raise ``CommentRefused`` with a message meant
for the reader when policy says no.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, connection, transaction
from django.db.models import Case, CharField, Count, F, Q, Value, When
from django.db.models.functions import Cast, Concat
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from articles.models import Article
from comments import formatting, moderation, passages, tree
from comments.domain import Commenter, CommentRefused, reply_target
from comments.models import Comment, Flag, ModerationEvent, Status, Vote
from comments.moderation import language_checks
from comments.moderation.audit import EventAction
from comments.notifications import dispatch, subscriptions
from newsroom import pagecache, ratelimit

EDIT_WINDOW = timedelta(minutes=15)
# With a hash of the commenter's identity: one commenter's posts, one at a time.
AUTHOR_LOCK = 0x61757468  # "auth"


def _hashed(prefix: str, value: str) -> str:
    """A non-reversible key for an address or network, so no address is kept in clear
    beyond the rows ``purge_addresses`` erases."""
    digest = hashlib.sha256(f"{settings.SECRET_KEY}:{prefix}:{value}".encode()).hexdigest()
    return f"{prefix}:{digest[:56]}"


def check_shape(*, body: str, author: Commenter | None = None) -> None:
    """Refuse what the forms refuse, for every other caller too (the API, the admin, commands,
    imports): an empty or over-long text, control characters (PostgreSQL cannot even store
    NUL), a guest's name or email that does not fit or is not an address."""
    limit = Comment._meta.get_field("body").max_length
    if not body.strip():
        raise CommentRefused(_("Write something before you post."), code="empty")
    if len(body) > limit:
        raise CommentRefused(
            _("Comments can be at most %(limit)d characters (this one has %(count)d).")
            % {"limit": limit, "count": len(body)},
            code="too_long",
        )
    if formatting.has_control_characters(body):
        raise CommentRefused(
            _("Your comment contains invisible control characters; please remove them."),
            code="control",
        )
    if author is None or author.user is not None:
        return
    if len(author.name) > Comment._meta.get_field("guest_name").max_length or (
        formatting.has_control_characters(author.name)
    ):
        raise CommentRefused(_("Give a shorter name, without control characters."), code="name")
    if author.email:
        try:
            if len(author.email) > Comment._meta.get_field("guest_email").max_length:
                raise ValidationError("too long")
            validate_email(author.email)
        except ValidationError:
            raise CommentRefused(
                _("Give a valid email address; it is never shown."), code="email"
            ) from None


def _lock_author(author: Commenter) -> None:
    """Serialise one commenter's posts (by account, browser key and email), so the check for
    a repeated comment sees the one posted a moment earlier by a request running alongside.
    Taken before any thread lock, always in the same order: no deadlocks."""
    with connection.cursor() as cursor:
        for name in sorted(author.identities):
            # The two-key form: its key space never meets tree.NEW_TREE_LOCK's one-key form.
            cursor.execute("SELECT pg_advisory_xact_lock(%s, hashtext(%s))", [AUTHOR_LOCK, name])


def post_comment(
    *,
    article: Article,
    parent: Comment | None,
    author: Commenter,
    body: str,
    passage: passages.Passage | None = None,
    subscribe: str = "",
) -> Comment:
    """Check the comment against the article's and moderators' rules, insert it, tell
    subscribers (or moderators, when it is held) through ``notifications.dispatch``, and
    replace the article's cached page when readers can see it.

    ``passage``, from ``passages.choose``, makes a new thread a comment on that passage.
    ``subscribe`` (a ``notifications.models.Kind``, the form's "Notify me of") then subscribes
    the author to the discussion; ``comment.following`` says what came of it, for the
    author (None when they asked for nothing). Returns the saved comment (its status says
    whether it is published or held for review); raises ``CommentRefused`` with the reason
    otherwise. The insert locks only its own thread.
    """
    now = timezone.now()
    if not article.accepts_comments(now):
        raise CommentRefused(_("Comments on this article are closed."), status=403, code="closed")
    check_shape(body=body, author=author)
    if parent is not None:
        reply_target(parent, article=article)
    if parent is not None and passage is not None:
        raise CommentRefused(str(passages.NOT_IN_A_REPLY), code="passage")
    screening = moderation.assess(article=article, parent=parent, author=author, body=body, now=now)
    status = screening.status
    comment = Comment(
        article=article,
        user=author.user,
        guest_name="" if author.user else author.name,
        guest_email="" if author.user else author.email,
        author_key="" if author.user else author.key,
        body=body,
        passage=passage.number if passage else None,
        quote=passage.quote if passage else "",
        status=status,
        ip_address=author.ip,
        created_at=now,
    )
    with transaction.atomic():
        _lock_author(author)
        # Again under the lock: the same text sent twice at once must be stored once.
        moderation.check_duplicate(author, body, now, None)
        if parent is None:
            tree.start_thread(comment)  # takes the new-thread lock
        else:
            tree.lock_thread(parent.tree_id)
            # Re-read the parent under the lock: its lft/rght may have moved meanwhile, and
            # its author may have deleted it.
            parent = reply_target(Comment.objects.filter(pk=parent.pk).first(), article=article)
            tree.place_reply(comment, parent)
        comment.parent = parent
        comment.save()  # django-mptt leaves labels set beforehand alone: one INSERT
        language_checks.keep(comment, screening.language)
        if status == Status.APPROVED:
            Comment.objects.count_one_more(article.pk)
            pagecache.article_changed(article.pk)
        moderation.record(
            comment, actor=None, action="posted", to_status=status, reason=screening.reason
        )
        dispatch.comment_posted(comment)
    # Outside the posting transaction: a subscription that fails must not take the comment
    # with it.
    comment.following = subscriptions.subscribe_author(
        comment=comment, author=author, kind=subscribe
    )
    return comment


def edit_window_message() -> str:
    """What a reader is told when the edit window has passed, from ``EDIT_WINDOW``."""
    minutes = int(EDIT_WINDOW.total_seconds() // 60)
    return ngettext(
        "Comments can be edited for %(minutes)d minute after posting.",
        "Comments can be edited for %(minutes)d minutes after posting.",
        minutes,
    ) % {"minutes": minutes}


# What readers' reports or a moderator did to hold a comment (``held_by_moderators``).
HELD_ACTIONS = (EventAction.HIDDEN, EventAction.HELD)


def held_by_moderators(comment: Comment) -> bool:
    """Whether ``comment`` waits for a moderator because readers' reports hid it or a
    moderator held it: until they decide, its author can neither edit nor delete it (a
    comment held when it was posted, by the automatic checks, stays its author's)."""
    return (
        comment.status == Status.PENDING
        and ModerationEvent.objects.filter(comment_id=comment.pk, action__in=HELD_ACTIONS).exists()
    )


def held_refusal() -> CommentRefused:
    return CommentRefused(
        _("A moderator is looking at this comment, so it cannot be changed for now."),
        status=403,
        code="held",
    )


def can_edit(comment: Comment, actor: Commenter, now=None) -> bool:
    return actor.owns(comment) and editable(
        status=comment.status,
        is_deleted=comment.is_deleted,
        created_at=comment.created_at,
        held=lambda: held_by_moderators(comment),
        now=now,
    )


def editable(*, status, is_deleted: bool, created_at, held, now=None) -> bool:
    """Whether its author may still edit a comment: ``held`` says whether moderators hold
    it (a bool, or a function asked only when it matters; comments/selectors.py:
    reader_layer reads it with the rest)."""
    now = now or timezone.now()
    return (
        not is_deleted
        and status in (Status.APPROVED, Status.PENDING)
        and now - created_at <= EDIT_WINDOW
        and not (held() if callable(held) else held)
    )


def edit_comment(*, comment: Comment, editor: Commenter, body: str) -> Comment:
    """Change the text of one's own comment within the edit window; it is marked edited."""
    if not editor.owns(comment):
        raise CommentRefused(_("You can only edit your own comments."), status=403)
    if comment.is_deleted:
        raise CommentRefused(_("This comment has been deleted."), status=403, code="deleted")
    if held_by_moderators(comment):
        raise held_refusal()
    if not can_edit(comment, editor):
        raise CommentRefused(edit_window_message(), status=403, code="expired")
    check_shape(body=body)
    screening = moderation.assess(
        article=comment.article, parent=comment.parent, author=editor, body=body,
        now=timezone.now(), editing=comment,
    )  # fmt: skip
    status = screening.status
    with transaction.atomic():
        previous = comment.status
        comment.body = body
        comment.edited_at = timezone.now()
        if previous == Status.APPROVED and status != Status.APPROVED:
            comment.status = status
        comment.save(update_fields=["body", "edited_at", "status"])
        language_checks.keep(comment, screening.language)
        if previous == Status.APPROVED:  # readers saw it: the new text, or its absence
            pagecache.article_changed(comment.article_id)
        if previous != comment.status:
            Comment.objects.recount(comment.article_id)
            moderation.record(
                comment,
                actor=None,
                action="edited",
                from_status=previous,
                to_status=status,
                reason=screening.reason,
            )
    return comment


# A moderator's decision (removed, spam, rejected) stays on record: its author cannot erase
# it, so the audit trail keeps its comment and trust keeps counting it.
DELETABLE = (Status.APPROVED, Status.PENDING)


def moderated_refusal() -> CommentRefused:
    return CommentRefused(
        _("A moderator has acted on this comment, so it can no longer be deleted."),
        status=403,
        code="moderated",
    )


def _on_record(comment: Comment) -> bool:
    """Whether moderators need ``comment``'s row: it was reported, or someone other than its
    author acted on it (its reports and audit trail must not go with it)."""
    return (
        Flag.objects.filter(comment_id=comment.pk).exists()
        or ModerationEvent.objects.filter(comment_id=comment.pk)
        .exclude(action__in=[EventAction.POSTED, EventAction.EDITED])
        .exists()
    )


def delete_comment(*, comment: Comment, actor: Commenter) -> bool:
    """Delete one's own comment. With replies, or reports, or a moderator's action on
    record, it stays as a placeholder; returns True if the row itself was removed. Comments
    a moderator removed, rejected, marked as spam, or holds (``held_by_moderators``) stay."""
    if not actor.owns(comment):
        raise CommentRefused(_("You can only delete your own comments."), status=403)
    with transaction.atomic():
        tree.lock_thread(comment.tree_id)
        comment = Comment.objects.get(pk=comment.pk)
        if comment.status not in DELETABLE:
            raise moderated_refusal()
        if held_by_moderators(comment):
            raise held_refusal()
        article_id = comment.article_id
        if comment.is_leaf_node() and not _on_record(comment):
            tree.remove_leaf(comment)
            removed = True
        else:
            comment.is_deleted = True
            comment.save(update_fields=["is_deleted"])
            removed = False
        Comment.objects.recount(article_id)
        pagecache.article_changed(article_id)
    return removed


def _check_guest_vote_rate(voter: Commenter) -> None:
    """At most ``COMMENTS_GUEST_VOTES_PER_HOUR`` new guest votes per address, counted in
    the shared store."""
    rates = ratelimit.parse_rates(f"{settings.COMMENTS_GUEST_VOTES_PER_HOUR}/hour")
    exceeded = ratelimit.hit({"guest-vote": voter.by_address}, rates)
    if exceeded is not None:
        raise CommentRefused.rate_limited(
            _("Too many votes from your network. Please try again later."),
            retry_after=exceeded.retry_after,
        )


def vote(*, comment: Comment, voter: Commenter, value: int) -> Comment:
    """Up (+1), down (-1) or take back (0) a vote; one per reader per comment.

    Signed-in readers vote by account. Guests vote by browser key and by address (IPv6: the
    /64): one guest vote per comment per address, and at most
    ``COMMENTS_GUEST_VOTES_PER_HOUR`` new votes from one address in an hour.
    """
    if value not in (-1, 0, 1):
        raise CommentRefused(_("That is not a vote."))
    if not comment.is_visible:
        raise CommentRefused(_("This comment can no longer be voted on."), status=404)
    if voter.owns(comment):
        raise CommentRefused(_("You cannot vote on your own comment."), status=403)
    if not voter.key:
        raise CommentRefused(_("Your browser must accept cookies to vote."), status=400)
    # Accounts' votes carry their network too: votes are counted by network (``_tally``).
    network = _hashed("net", voter.network) if voter.network else ""
    mine = voter.own_filter("voter_key")
    with transaction.atomic():
        Comment.objects.select_for_update().filter(pk=comment.pk).values_list("pk").first()
        existing = Vote.objects.filter(mine, comment=comment).first()
        taken = (  # one guest vote per network (an account's counts once with it)
            existing is None
            and voter.user is None
            and network
            and Vote.objects.filter(comment=comment, user__isnull=True, voter_network=network)
        )
        if taken and taken.exists():
            raise CommentRefused(
                _("Someone on your network has already voted on this comment."),
                status=409,
                code="voted",
            )
        if existing is None and value:
            if voter.user is None:
                _check_guest_vote_rate(voter)
            try:
                with transaction.atomic():
                    Vote.objects.create(
                        comment=comment,
                        user=voter.user,
                        voter_key="" if voter.user else voter.key,
                        voter_network=network,
                        value=value,
                        ip_address=voter.ip,
                    )
            except IntegrityError:  # the same reader, twice at once: the first vote stands
                pass
        elif existing is not None and not value:
            existing.delete()
        elif existing is not None and existing.value != value:
            existing.value = value
            existing.save(update_fields=["value"])
        counts = _tally(comment)
        Comment.objects.filter(pk=comment.pk).update(
            upvotes=counts["up"], downvotes=counts["down"], score=counts["up"] - counts["down"]
        )
        pagecache.article_changed(comment.article_id)  # the counts, and the "votes" order
    comment.upvotes, comment.downvotes = counts["up"], counts["down"]
    comment.score = counts["up"] - counts["down"]
    return comment


def _tally(comment: Comment) -> dict[str, int]:
    """A comment's up and down votes, counted by account *and* network: every account and
    guest on one network (IPv6: its /64) together count once each way, so fresh accounts
    on one address add nothing. A vote with no network known counts on its own."""
    voice = Case(
        When(voter_network="", then=Concat(Value("vote:"), Cast("pk", CharField()))),
        default=F("voter_network"),
    )
    return Vote.objects.filter(comment=comment).aggregate(
        up=Count(voice, distinct=True, filter=Q(value=1)),
        down=Count(voice, distinct=True, filter=Q(value=-1)),
    )


def _reporter_key(reporter: Commenter) -> str:
    """Who a report counts as: the account; a guest by their address (IPv6: the /64), so
    clearing cookies does not make a new reporter; the browser key only when no address is
    known."""
    if reporter.user is None and reporter.network:
        return _hashed("net", reporter.network)
    return reporter.key


def _check_report_rate(reporter: Commenter) -> None:
    rates = ratelimit.parse_rates(settings.COMMENTS_REPORT_RATE_LIMITS)
    if not rates or not reporter.by_address:
        return
    exceeded = ratelimit.hit({"report": reporter.by_address}, rates)
    if exceeded is not None:
        raise CommentRefused.rate_limited(
            _("You have sent many reports in a short time. Please try again later."),
            retry_after=exceeded.retry_after,
        )


def report(*, comment: Comment, reporter: Commenter, reason: str, details: str = "") -> Flag:
    """Record a reader's report: one per account, or per address for guests (with or without
    cookies); repeating it changes nothing. Reports are rate-limited per address
    (``COMMENTS_REPORT_RATE_LIMITS``)."""
    if reason not in Flag.Reason.values:
        raise CommentRefused(_("Choose a reason for the report."))
    key = _reporter_key(reporter)
    if not key:
        raise CommentRefused(_("Your browser must accept cookies to report a comment."))
    _check_report_rate(reporter)
    with transaction.atomic():
        flag, created = Flag.objects.get_or_create(
            comment=comment,
            reporter_key=key,
            defaults={
                "user": reporter.user,
                "reason": reason,
                "details": details,
                "ip_address": reporter.ip,
            },
        )
        if created:
            Comment.objects.filter(pk=comment.pk).update(flag_count=F("flag_count") + 1)
            comment.refresh_from_db(fields=["flag_count", "status"])
            moderation.reported(comment)
            dispatch.comment_reported(comment)
    return flag
