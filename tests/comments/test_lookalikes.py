"""Banned words cannot be slipped past the word rules with invisible or look-alike characters:
the review's bypasses (U+034F, U+FE0F, Armenian letters, combining marks), each refused."""

from __future__ import annotations

import pytest

from comments.formatting import confusable_skeleton as skeleton
from comments.models import Status, WordRule
from tests.comments.moderation_support import guest, refusal, screen

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("moderation_policy")]


@pytest.mark.parametrize(
    "body",
    [
        pytest.param("What a scoun\u034fdrel.", id="combining-grapheme-joiner"),
        pytest.param("What a scoun\ufe0fdrel.", id="variation-selector-16"),
        pytest.param("What a sc\U000e0100oundrel.", id="variation-selector-17"),
        pytest.param("What a scoun\u2064drel.", id="invisible-plus"),
        pytest.param("What a scoun\u3164drel.", id="hangul-filler"),
        pytest.param("What a sc\u0585\u057dndrel.", id="armenian-oh-and-seh"),
        pytest.param("What a s\u0307c\u0323o\u0308u\u0301n\u0303drel.", id="combining-marks"),
        pytest.param("What a s\u0336c\u0336o\u0336u\u0336ndrel.", id="strike-through-marks"),
        pytest.param("What a \u1e61\u1e09\u00f6\u00fa\u00f1drel.", id="precomposed-accents"),
        pytest.param("What a scoundre\u0031.", id="digit-one-for-l"),
        pytest.param("What a \U0001d42c\U0001d41c\U0001d428undrel.", id="math-bold"),
        pytest.param("What a \u0455\u0441\u043e\u057dndr\u0435l.", id="mixed-scripts"),
    ],
)
def test_a_banned_word_is_refused_through_every_disguise(article, body):
    WordRule.objects.create(phrase="scoundrel", action=WordRule.Action.BAN)
    assert refusal(article, guest(), body).code == "banned_words"


def test_a_rule_written_with_look_alikes_catches_the_plain_word(article):
    WordRule.objects.create(phrase="sc\u0585undrel", action=WordRule.Action.BAN)
    assert refusal(article, guest(), "A SCOUNDREL, that one.").code == "banned_words"


def test_look_alikes_do_not_make_other_words_match(article):
    WordRule.objects.create(phrase="scoundrel", action=WordRule.Action.BAN)
    # Not refused for the banned word (``screen`` would raise): other words are not it.
    # Calling people scoundrels may still be held for a person by the language scorer.
    assert screen(article, guest(), "Scoundrels and a scoundrelly plan.") in (
        Status.APPROVED,
        Status.PENDING,
    )
    assert screen(article, guest(), "A \u057dnder bridge.") == Status.APPROVED


def test_skeletons_of_look_alike_texts_are_equal_and_of_other_texts_differ():
    assert skeleton("sc\u0585undrel") == skeleton("scoundrel") == skeleton("SCOUNDREL")
    assert skeleton("caf\u00e9") == skeleton("cafe\u0301") == skeleton("CAFE")
    assert skeleton("\u2764\ufe0f") == skeleton("\u2764")  # an emoji's presentation selector
    assert skeleton("bridge") != skeleton("bride")
