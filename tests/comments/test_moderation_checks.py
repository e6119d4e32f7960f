"""The automatic checks on what a comment says, and the moderation modes: trust, links, word
lists, repeats; and that nothing is silently dropped on the way to the database."""

from __future__ import annotations

from datetime import timedelta

import pytest

from comments import moderation, services
from comments.domain import CommentRefused
from comments.models import Comment, ModerationEvent, Status, WordRule
from tests.comments.moderation_support import (
    NOON,
    guest,
    make_comment_row,
    make_moderator,
    member,
    refusal,
    screen,
)
from tests.helpers import make_article, make_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("moderation_policy")]


# --- Modes and trust -------------------------------------------------------------------------


def test_post_moderation_is_the_default_comments_are_approved(article):
    assert screen(article, guest()) == Status.APPROVED


def test_site_wide_premoderation_holds_new_commenters(article, settings):
    settings.COMMENTS_PREMODERATE = True
    assert screen(article, guest()) == Status.PENDING


def test_article_premoderation_holds_comments(article):
    article.comments_premoderated = True
    assert screen(article, guest()) == Status.PENDING


def test_article_premoderation_holds_even_trusted_commenters(article):
    author = guest()
    for _ in range(3):
        make_comment_row(article, author=author)
    article.comments_premoderated = True
    assert screen(article, author) == Status.PENDING


def test_first_timer_premoderation_holds_only_untrusted_commenters(article, settings):
    settings.COMMENTS_PREMODERATE_FIRST_TIMERS = True
    regular = guest()
    for _ in range(3):
        make_comment_row(article, author=regular)

    assert screen(article, guest()) == Status.PENDING
    assert screen(article, regular) == Status.APPROVED


def test_trusted_commenters_skip_site_wide_premoderation(article, settings):
    settings.COMMENTS_PREMODERATE = True
    user = make_user()
    for _ in range(3):
        make_comment_row(article, author=member(user))
    assert screen(article, member(user)) == Status.APPROVED


def test_trust_needs_the_configured_number_of_approved_comments(article, settings):
    settings.COMMENTS_PREMODERATE = True
    settings.COMMENTS_TRUSTED_AFTER = 2
    author = guest()
    make_comment_row(article, author=author)
    make_comment_row(article, author=author, status=Status.PENDING)
    make_comment_row(article, author=author, status=Status.REJECTED)
    assert moderation.is_trusted(author) is False
    make_comment_row(article, author=author)
    assert moderation.is_trusted(author) is True
    assert screen(article, author) == Status.APPROVED


@pytest.mark.parametrize("bad_status", [Status.SPAM, Status.REMOVED])
def test_a_comment_marked_spam_or_removed_loses_trust(article, settings, bad_status):
    settings.COMMENTS_PREMODERATE = True
    author = guest()
    for _ in range(5):
        make_comment_row(article, author=author)
    make_comment_row(article, author=author, status=bad_status)
    assert screen(article, author) == Status.PENDING


def test_guest_trust_follows_the_browser_key_not_a_claimed_email(article, settings):
    settings.COMMENTS_PREMODERATE = True
    regular = guest(email="regular@example.org", key="regular-browser")
    for _ in range(3):
        make_comment_row(article, author=regular)
    impostor = guest(email="regular@example.org", key="another-browser")
    assert screen(article, impostor) == Status.PENDING
    assert screen(article, guest(email="new@example.org", key="regular-browser")) == "approved"


def test_moderators_skip_every_queue(article, settings):
    settings.COMMENTS_PREMODERATE = True
    article.comments_premoderated = True
    WordRule.objects.create(phrase="bridge", action=WordRule.Action.SUSPECT)
    assert screen(article, member(make_moderator())) == Status.APPROVED


# --- Links -----------------------------------------------------------------------------------


def test_comment_with_as_many_links_as_allowed_is_approved(article):
    body = "See https://a.example.org, www.b.example and c-example.com for more."
    assert moderation.checks.count_links(body) == 3
    assert screen(article, guest(), body) == Status.APPROVED


def test_too_many_links_are_refused_with_the_limit_in_the_message(article):
    body = "http://one.example http://two.example https://three.example www.four.example"
    error = refusal(article, guest(), body)
    assert (error.status, error.code) == (400, "too_many_links")
    assert error.message == (
        "Comments can include at most 3 links. Please remove some and post again."
    )


def test_link_limit_is_configurable(article, settings):
    settings.COMMENTS_MAX_LINKS = 0
    error = refusal(article, guest(), "Read https://example.org")
    assert error.message == "Comments cannot include links. Please remove them and post again."


# --- Word lists ------------------------------------------------------------------------------


def test_banned_word_is_refused_naming_the_word(article):
    WordRule.objects.create(phrase="scoundrel", action=WordRule.Action.BAN)
    error = refusal(article, guest(), "The councillor is a SCOUNDREL.")
    assert (error.status, error.code) == (400, "banned_words")
    assert error.message == (
        "Your comment uses a word that is not allowed here (“scoundrel”). "
        "Please rephrase it and post again."
    )


def test_banned_words_match_whole_words_only(article):
    WordRule.objects.create(phrase="ass", action=WordRule.Action.BAN)
    assert screen(article, guest(), "A classic assessment of the bypass.") == Status.APPROVED
    assert refusal(article, guest(), "What an ass!").code == "banned_words"


def test_banned_phrase_matches_across_any_whitespace(article):
    WordRule.objects.create(phrase="buy now", action=WordRule.Action.BAN)
    assert refusal(article, guest(), "Cheap pills, BUY\n  now").code == "banned_words"
    assert screen(article, guest(), "I will buy it now.") == Status.APPROVED


@pytest.mark.parametrize(
    ("phrase", "body"),
    [
        ("café", "Meet at the CAFÉ tonight"),
        ("café", "Meet at the cafe\u0301 tonight"),  # decomposed accent
        ("straße", "Die STRASSE ist gesperrt"),  # case folding
        ("идиот", "Ты ИДИОТ."),  # Cyrillic
        ("bridge", "the \uff42\uff52\uff49\uff44\uff47\uff45 is closed"),  # full-width letters
    ],
)
def test_word_matching_is_unicode_aware(article, phrase, body):
    WordRule.objects.create(phrase=phrase, action=WordRule.Action.BAN)
    assert refusal(article, guest(), body).code == "banned_words"


@pytest.mark.parametrize(
    "body",
    [
        "The councillor is a scoun\u200bdrel.",  # zero-width space
        "The councillor is a scoun\u00addrel.",  # soft hyphen
        "The councillor is a sc\u043eundrel.",  # Cyrillic o
        "The councillor is a \u0455\u0441oundrel.",  # Cyrillic dze and es
        "The councillor is a scoundr\u0435l\u200d.",  # Cyrillic ie, zero-width joiner
    ],
)
def test_banned_words_are_matched_through_invisible_and_look_alike_characters(article, body):
    WordRule.objects.create(phrase="scoundrel", action=WordRule.Action.BAN)
    assert refusal(article, guest(), body).code == "banned_words"


def test_a_banned_word_with_a_cyrillic_a_is_refused(article):
    WordRule.objects.create(phrase="spam", action=WordRule.Action.BAN)
    assert refusal(article, guest(), "Pure sp\u0430m, this.").code == "banned_words"


def test_unicode_whole_words_do_not_match_inside_longer_words(article):
    WordRule.objects.create(phrase="café", action=WordRule.Action.BAN)
    assert screen(article, guest(), "Les cafés sont fermés") == Status.APPROVED


def test_suspect_word_holds_the_comment_for_review_with_the_reason(article):
    WordRule.objects.create(phrase="lawsuit", action=WordRule.Action.SUSPECT)
    verdict = moderation.assess(
        article=article, parent=None, author=guest(), body="Expect a Lawsuit.", now=NOON
    )
    assert verdict == moderation.Screening(Status.PENDING, "suspect words: lawsuit")


def test_banned_words_win_over_suspect_words(article):
    WordRule.objects.create(phrase="scoundrel", action=WordRule.Action.BAN)
    WordRule.objects.create(phrase="lawsuit", action=WordRule.Action.SUSPECT)
    assert refusal(article, guest(), "A scoundrel's lawsuit").code == "banned_words"


# --- Repeats ---------------------------------------------------------------------------------


def test_same_text_from_the_same_commenter_within_minutes_is_refused(article):
    author = guest()
    make_comment_row(
        article, "Build the bridge!", author=author, created_at=NOON - timedelta(minutes=4)
    )
    error = refusal(article, author, "  build   the BRIDGE! ")
    assert (error.status, error.code) == (409, "duplicate")
    assert error.message == "You posted this same comment a moment ago, so it was not posted again."


def test_same_text_is_refused_on_another_article_too(article):
    author = guest()
    make_comment_row(
        article, "Visit my shop", author=author, created_at=NOON - timedelta(minutes=1)
    )
    assert refusal(make_article(), author, "Visit my shop").code == "duplicate"


def test_same_guest_email_from_another_browser_counts_as_a_repeat(article):
    make_comment_row(article, "Same words", author=guest(email="x@example.org"), created_at=NOON)
    assert refusal(article, guest(email="X@example.org"), "Same words").code == "duplicate"


def test_same_text_after_the_window_is_accepted(article):
    author = guest()
    make_comment_row(
        article, "Build the bridge!", author=author, created_at=NOON - timedelta(minutes=6)
    )
    assert screen(article, author, "Build the bridge!") == Status.APPROVED


def test_same_text_from_someone_else_is_accepted(article):
    make_comment_row(article, "Agreed.", author=guest(), created_at=NOON)
    assert screen(article, guest(), "Agreed.") == Status.APPROVED


def test_editing_a_comment_is_not_a_repeat_of_itself(article):
    author = guest()
    comment = make_comment_row(article, "Build it.", author=author, created_at=NOON)
    assert screen(article, author, "Build it.", editing=comment) == Status.APPROVED


# --- Through the posting service: nothing is silently dropped ---------------------------------


def test_held_comment_is_saved_pending_and_not_counted(article):
    WordRule.objects.create(phrase="lawsuit", action=WordRule.Action.SUSPECT)
    comment = services.post_comment(
        article=article, parent=None, author=guest(), body="Expect a lawsuit."
    )
    comment.refresh_from_db()
    article.refresh_from_db()
    assert comment.status == Status.PENDING
    assert article.comment_count == 0
    assert ModerationEvent.objects.get(comment=comment).to_status == Status.PENDING


def test_refused_comment_is_not_saved(article):
    author = guest()
    moderation.ban(actor=None, email=author.email)
    with pytest.raises(CommentRefused) as caught:
        services.post_comment(article=article, parent=None, author=author, body="Hello")
    assert caught.value.code == "banned"
    assert not Comment.objects.exists()


def test_an_edit_records_an_event_only_when_it_is_held(article):
    WordRule.objects.create(phrase="lawsuit", action=WordRule.Action.SUSPECT)
    author = guest()
    comment = services.post_comment(article=article, parent=None, author=author, body="Hi.")

    services.edit_comment(comment=comment, editor=author, body="Hello.")
    assert list(ModerationEvent.objects.filter(comment=comment).values_list("action")) == [
        ("posted",)
    ]

    services.edit_comment(comment=comment, editor=author, body="Expect a lawsuit.")
    assert list(
        ModerationEvent.objects.filter(comment=comment)
        .order_by("pk")
        .values_list("action", "from_status", "to_status")
    ) == [("posted", "", Status.APPROVED), ("edited", Status.APPROVED, Status.PENDING)]
