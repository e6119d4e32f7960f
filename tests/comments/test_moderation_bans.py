"""Bans as moderators make them: ranges normalised and bounded, banning a comment's author,
lifting and deleting, each recorded in the audit trail."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from comments import moderation
from comments.models import Ban, Comment, ModerationEvent, Status
from comments.moderation import EventAction
from tests.comments.moderation_support import events, guest, make_comment_row, member
from tests.helpers import make_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("moderation_policy")]


def count(article) -> int:
    article.refresh_from_db()
    return article.comment_count


# --- Bans ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("203.0.113.7", "203.0.113.7"),
        (" 203.0.113.9/24 ", "203.0.113.0/24"),
        ("2001:DB8::1", "2001:db8::1"),
        ("2001:db8:abcd:1::/48", "2001:db8:abcd::/48"),
    ],
)
def test_ban_ranges_are_normalised(moderator, given, stored):
    assert moderation.ban(actor=moderator, network=given).network == stored


@pytest.mark.parametrize("value", ["not an address", "203.0.113.0/33", "10.0.0.0/8", "::/0"])
def test_invalid_or_too_wide_ranges_are_refused(moderator, value):
    with pytest.raises(ValidationError):
        moderation.ban(actor=moderator, network=value)
    assert not Ban.objects.exists()


def test_a_ban_must_name_someone(moderator):
    with pytest.raises(ValidationError):
        moderation.ban(actor=moderator, reason="Nobody")


def test_a_ban_is_recorded_with_who_and_why(moderator, settings):
    settings.TIME_ZONE = "UTC"
    ends = timezone.now().replace(microsecond=0) + timedelta(days=7)
    ban = moderation.ban(actor=moderator, email=" Troll@Example.ORG", ends_at=ends, reason="Abuse")
    assert (ban.email, ban.created_by) == ("troll@example.org", moderator)
    event = ModerationEvent.objects.get(action=EventAction.BANNED)
    assert event.actor == moderator
    assert event.comment is None
    assert event.reason.startswith("email troll@example.org until ")
    assert event.reason.endswith(" — Abuse")


def test_banning_a_guest_author_bans_their_email_and_address_and_removes_the_comment(
    article, moderator
):
    comment = make_comment_row(article, author=guest(email="Troll@example.org", ip="203.0.113.66"))

    ban, created = moderation.ban_author(comment=comment, actor=moderator, reason="Trolling")

    assert created is True
    assert (ban.user, ban.email, ban.network, ban.reason) == (
        None,
        "troll@example.org",
        "203.0.113.66",
        "Trolling",
    )
    assert comment.status == Status.REMOVED
    assert [e[0] for e in events(comment)] == ["author_banned", "removed"]
    assert count(article) == 0


def test_banning_an_account_author_bans_the_account(article, moderator):
    user = make_user()
    comment = make_comment_row(article, author=member(user))
    ban, _created = moderation.ban_author(comment=comment, actor=moderator, remove=False)
    assert (ban.user, ban.email, ban.network) == (user, "", "")
    assert Comment.objects.get(pk=comment.pk).status == Status.APPROVED
    assert moderation.active_ban_for(member(user)) == ban


def test_banning_an_author_twice_reuses_the_ban(article, moderator):
    author = guest()
    first = make_comment_row(article, author=author)
    second = make_comment_row(article, author=author)
    ban, created = moderation.ban_author(comment=first, actor=moderator)
    again, created_again = moderation.ban_author(comment=second, actor=moderator)
    assert (created, created_again, again) == (True, False, ban)
    assert Ban.objects.count() == 1


def test_a_guest_with_nothing_to_ban_cannot_be_banned(article, moderator):
    comment = make_comment_row(article, author=guest(email="", ip=None))
    with pytest.raises(ValidationError):
        moderation.ban_author(comment=comment, actor=moderator)
    assert Comment.objects.get(pk=comment.pk).status == Status.APPROVED


def test_lifting_a_ban_ends_it_now_and_is_recorded(moderator):
    ban = moderation.ban(actor=moderator, email="x@example.org")
    assert moderation.lift_ban(ban=ban, actor=moderator, reason="Apologised") is True
    assert moderation.lift_ban(ban=ban, actor=moderator) is False
    assert not Ban.objects.active().exists()
    assert ModerationEvent.objects.filter(action="ban_lifted", reason="Apologised").count() == 1


def test_deleting_a_ban_keeps_what_it_said_in_the_audit_trail(moderator):
    ban = moderation.ban(actor=moderator, network="203.0.113.0/24", reason="Botnet")
    moderation.delete_ban(ban=ban, actor=moderator)
    assert not Ban.objects.exists()
    event = ModerationEvent.objects.get(action="ban_lifted")
    assert event.reason == "address 203.0.113.0/24 — Botnet"


def test_only_moderators_can_ban():
    with pytest.raises(PermissionDenied):
        moderation.ban(actor=make_user(), email="x@example.org")
