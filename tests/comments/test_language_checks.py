"""The language phases of the checks, in their order: word rules, then links and new
commenters, then the scorer, then the external scorer; the thresholds moderators set; shadow
mode; scores kept with each comment; an external scorer that fails never publishes."""

from __future__ import annotations

import pytest
from django.urls import reverse

from comments import moderation, services
from comments.domain import CommentRefused
from comments.models import Comment, CommentScore, LanguagePolicy, ScoreThreshold, Status, WordRule
from comments.moderation import language
from comments.moderation.language_checks import LanguageRefused
from tests.comments.helpers import post
from tests.comments.language_support import CIVIL, COUNTER, HATEFUL, RUDE, UNSURE
from tests.comments.moderation_support import guest, make_moderator, member

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("moderation_policy")]


def post_as_guest(article, body: str, author=None) -> Comment:
    return services.post_comment(article=article, parent=None, author=author or guest(), body=body)


def set_thresholds(category: str, hold_at, refuse_at) -> None:
    ScoreThreshold.objects.filter(category=category).update(hold_at=hold_at, refuse_at=refuse_at)


# --- Order ---------------------------------------------------------------------------------


def test_a_word_rule_refuses_before_the_scorer_runs(article, scorer):
    WordRule.objects.create(phrase="vermin", action=WordRule.Action.BAN)
    with pytest.raises(CommentRefused) as caught:
        post_as_guest(article, HATEFUL)
    assert caught.value.code == "banned_words"
    assert scorer.calls == []
    assert Comment.objects.count() == 0


def test_a_link_refusal_comes_before_the_scorer(article, scorer, settings):
    settings.COMMENTS_MAX_LINKS = 0
    with pytest.raises(CommentRefused) as caught:
        post_as_guest(article, "See example.com for more.")
    assert caught.value.code == "too_many_links"
    assert scorer.calls == []


def test_a_suspect_word_holds_and_the_scores_are_still_kept(article, scorer):
    WordRule.objects.create(phrase="bridge", action=WordRule.Action.SUSPECT)
    comment = post_as_guest(article, CIVIL)
    assert comment.status == Status.PENDING
    assert scorer.calls == [CIVIL]
    score = CommentScore.objects.get(comment=comment)
    assert (score.phase, score.decision) == ("words", "hold")


def test_the_scorer_runs_after_new_commenter_rules_and_keeps_their_hold(article, scorer, settings):
    settings.COMMENTS_PREMODERATE_FIRST_TIMERS = True
    comment = post_as_guest(article, UNSURE)
    assert comment.status == Status.PENDING
    assert (
        comment.events.get().reason
        == "new commenter; language check: hate 0.62 (“people like that”, “problem”)"
    )
    assert CommentScore.objects.get(comment=comment).phase == "links"


# --- The scorer against the thresholds -----------------------------------------------------


def test_a_civil_comment_is_published_with_its_scores_kept(article, scorer):
    comment = post_as_guest(article, CIVIL)
    assert comment.status == Status.APPROVED
    score = CommentScore.objects.get(comment=comment)
    assert score.scores == {"hate": 0.0, "offensive": 0.0}
    assert (score.phase, score.decision, score.shadow) == ("", "publish", False)


def test_counter_speech_naming_the_slur_is_published(article, scorer):
    assert post_as_guest(article, COUNTER).status == Status.APPROVED


def test_a_score_in_the_grey_zone_holds_rather_than_refuses(article, scorer):
    comment = post_as_guest(article, UNSURE)
    assert comment.status == Status.PENDING
    assert (
        comment.events.get().reason == "language check: hate 0.62 (“people like that”, “problem”)"
    )
    score = CommentScore.objects.get(comment=comment)
    assert (score.top_category, score.top_score, score.phase) == ("hate", 0.62, "scorer")
    assert score.reasons == {"hate": ["people like that", "problem"]}


def test_offensive_language_is_held_never_refused_by_default(article, scorer):
    comment = post_as_guest(article, RUDE)
    assert comment.status == Status.PENDING
    assert comment.events.get().reason == "language check: offensive language 0.81 (“idiot”)"


def test_a_high_hate_score_refuses_with_a_statement_of_reasons(article, scorer):
    with pytest.raises(LanguageRefused) as caught:
        post_as_guest(article, HATEFUL)
    message = caught.value.message
    assert caught.value.status == 400
    assert "attacks people for who they are" in message
    assert "What it picked out: “vermin”, “driven out”." in message
    assert "This is an automated decision" in message
    assert "You can change your words and post it again." in message
    assert Comment.objects.count() == 0


def test_the_refused_reader_keeps_their_text_and_reads_why(client, article, scorer, settings):
    settings.COMMENTS_FORM_MIN_SECONDS = 0
    response = post(client, article, HATEFUL)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Immigrants are vermin and should be driven out.</textarea>" in page
    assert "What it picked out: “vermin”, “driven out”." in page
    json_response = post(client, article, HATEFUL, as_json=True)
    assert json_response.status_code == 400
    assert "automated decision" in json_response.json()["message"]


def test_an_edit_is_scored_too(article, scorer):
    author = guest()
    comment = post_as_guest(article, CIVIL, author)
    services.edit_comment(comment=comment, editor=author, body=UNSURE)
    comment.refresh_from_db()
    assert comment.status == Status.PENDING
    assert CommentScore.objects.get(comment=comment).top_score == 0.62
    with pytest.raises(LanguageRefused):
        services.edit_comment(comment=comment, editor=author, body=HATEFUL)
    comment.refresh_from_db()
    assert comment.body == UNSURE


def test_moderators_own_comments_skip_the_scorer(article, scorer):
    comment = post_as_guest(article, HATEFUL, member(make_moderator()))
    assert comment.status == Status.APPROVED
    assert scorer.calls == []
    assert not CommentScore.objects.filter(comment=comment).exists()


def test_a_scorer_that_fails_holds_the_comment(article, monkeypatch):
    def broken(text):
        raise RuntimeError("model file missing")

    monkeypatch.setattr("comments.moderation.language.score", broken)
    comment = post_as_guest(article, CIVIL)
    assert comment.status == Status.PENDING
    assert comment.events.get().reason == "the language scorer failed"


# --- Thresholds from the admin, and shadow mode --------------------------------------------


def change_policy(client, *, shadow: bool, thresholds: dict[str, tuple[str, str]]) -> None:
    """Save the language checks' admin page as a moderator would."""
    rows = list(ScoreThreshold.objects.order_by("pk"))
    data = {
        "thresholds-TOTAL_FORMS": str(len(rows)),
        "thresholds-INITIAL_FORMS": str(len(rows)),
        "thresholds-MIN_NUM_FORMS": "0",
        "thresholds-MAX_NUM_FORMS": "2",
    }
    if shadow:
        data["shadow_mode"] = "on"
    for index, row in enumerate(rows):
        hold_at, refuse_at = thresholds.get(row.category, (row.hold_at, row.refuse_at))
        data |= {
            f"thresholds-{index}-id": str(row.pk),
            f"thresholds-{index}-policy": str(LanguagePolicy.SITE),
            f"thresholds-{index}-category": row.category,
            f"thresholds-{index}-hold_at": "" if hold_at is None else str(hold_at),
            f"thresholds-{index}-refuse_at": "" if refuse_at is None else str(refuse_at),
        }
    url = reverse("admin:comments_languagepolicy_change", args=[LanguagePolicy.SITE])
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]


def test_the_migration_sets_the_scorers_default_thresholds(db):
    rows = {row.category: (row.hold_at, row.refuse_at) for row in ScoreThreshold.objects.all()}
    assert rows == language.DEFAULT_THRESHOLDS  # the scorer's calibration, not a stale copy
    assert LanguagePolicy.objects.get().shadow_mode is False


def test_thresholds_changed_in_the_admin_change_decisions(mod_client, article, scorer):
    assert post_as_guest(article, UNSURE).status == Status.PENDING
    change_policy(mod_client, shadow=False, thresholds={"hate": ("0.7", "0.97")})
    assert post_as_guest(article, UNSURE).status == Status.APPROVED
    assert post_as_guest(article, HATEFUL).status == Status.PENDING  # refused at 0.9
    change_policy(mod_client, shadow=False, thresholds={"hate": ("0.3", "0.6")})
    with pytest.raises(LanguageRefused):
        post_as_guest(article, UNSURE)
    assert post_as_guest(article, COUNTER).status == Status.PENDING


def test_the_admin_refuses_thresholds_out_of_order(mod_client):
    row = ScoreThreshold.objects.get(category="hate")
    before = (row.hold_at, row.refuse_at)
    url = reverse("admin:comments_languagepolicy_change", args=[LanguagePolicy.SITE])
    response = mod_client.post(
        url,
        {
            "thresholds-TOTAL_FORMS": "1",
            "thresholds-INITIAL_FORMS": "1",
            "thresholds-MIN_NUM_FORMS": "0",
            "thresholds-MAX_NUM_FORMS": "2",
            "thresholds-0-id": str(row.pk),
            "thresholds-0-policy": "1",
            "thresholds-0-category": "hate",
            "thresholds-0-hold_at": "0.8",
            "thresholds-0-refuse_at": "0.4",
        },
    )
    assert response.status_code == 200
    assert "Refuse at a score no lower than “hold at”." in response.content.decode()
    row.refresh_from_db()
    assert (row.hold_at, row.refuse_at) == before


def test_shadow_mode_records_scores_and_decides_nothing(mod_client, article, scorer):
    change_policy(mod_client, shadow=True, thresholds={})
    hateful = post_as_guest(article, HATEFUL)
    unsure = post_as_guest(article, UNSURE)
    assert (hateful.status, unsure.status) == (Status.APPROVED, Status.APPROVED)
    score = CommentScore.objects.get(comment=hateful)
    assert (score.decision, score.phase, score.shadow) == ("refuse", "scorer", True)
    assert score.scores == {"hate": 0.96, "offensive": 0.41}
    assert CommentScore.objects.get(comment=unsure).decision == "hold"


def test_a_category_without_a_row_uses_the_default(article, scorer):
    ScoreThreshold.objects.filter(category="hate").delete()
    assert post_as_guest(article, UNSURE).status == Status.PENDING


# --- The external scorer -------------------------------------------------------------------


def test_the_external_scorer_is_asked_in_perspectives_format(article, scorer, external):
    comment = post_as_guest(article, CIVIL)
    assert comment.status == Status.APPROVED
    assert external.requests == [
        {
            "comment": {"text": CIVIL},
            "requestedAttributes": {"IDENTITY_ATTACK": {}, "TOXICITY": {}},
        }
    ]
    score = CommentScore.objects.get(comment=comment)
    assert score.external == {"hate": 0.02, "offensive": 0.03}
    assert score.scores == {"hate": 0.02, "offensive": 0.03}


def test_the_external_scorer_can_hold_what_the_scorer_passed(article, scorer, external):
    external.scores = {"IDENTITY_ATTACK": 0.71, "TOXICITY": 0.2}
    comment = post_as_guest(article, CIVIL)
    assert comment.status == Status.PENDING
    assert comment.events.get().reason == "external language check: hate 0.71"
    assert CommentScore.objects.get(comment=comment).phase == "external"


def test_the_external_scorer_can_refuse(article, scorer, external):
    external.scores = {"IDENTITY_ATTACK": 0.93, "TOXICITY": 0.2}
    with pytest.raises(LanguageRefused):
        post_as_guest(article, CIVIL)


def test_the_external_scorer_is_not_asked_once_the_scorer_refused(article, scorer, external):
    with pytest.raises(LanguageRefused):
        post_as_guest(article, HATEFUL)
    assert external.requests == []


@pytest.mark.parametrize(
    ("mode", "reason"),
    [
        ("slow", "the external scorer did not answer in time"),
        ("malformed", "the external scorer's answer could not be read"),
        ("incomplete", "the external scorer's answer could not be read"),
        ("error", "the external scorer answered with status 503"),
    ],
)
def test_an_external_scorer_that_fails_holds_the_comment(article, scorer, external, mode, reason):
    external.mode = mode
    comment = post_as_guest(article, CIVIL)
    assert comment.status == Status.PENDING
    assert comment.events.get().reason == reason
    assert CommentScore.objects.get(comment=comment).phase == "external"


def test_an_unreachable_external_scorer_never_publishes(article, scorer, settings):
    with_nothing_listening = "http://127.0.0.1:9/comments:analyze"  # the discard port, closed
    settings.COMMENTS_EXTERNAL_SCORER_URL = with_nothing_listening
    for _ in range(3):
        comment = post_as_guest(article, CIVIL)
        assert comment.status == Status.PENDING
        assert comment.events.get().reason == "the external scorer could not be reached"
    assert not Comment.objects.filter(status=Status.APPROVED).exists()


def test_an_external_failure_in_shadow_mode_decides_nothing(article, scorer, external):
    LanguagePolicy.objects.filter(pk=LanguagePolicy.SITE).update(shadow_mode=True)
    external.mode = "error"
    assert post_as_guest(article, CIVIL).status == Status.APPROVED


def test_assess_returns_the_scores_without_saving_anything(article, scorer):
    screening = moderation.assess(
        article=article, parent=None, author=guest(), body=UNSURE, now=article.published_at
    )
    assert screening.status == Status.PENDING
    assert screening.language.scores == {"hate": 0.62, "offensive": 0.08}
    assert CommentScore.objects.count() == 0


def test_the_author_of_a_held_comment_reads_that_the_language_check_held_it(
    client, article, scorer, settings
):
    settings.COMMENTS_FORM_MIN_SECONDS = 0
    response = post(client, article, UNSURE, as_json=True)
    assert response.status_code == 201
    assert response.json()["message"] == (
        "Thanks. Your comment is awaiting moderation and will appear once approved. Our "
        "automatic language check was unsure about it, so a person will read it first."
    )


# --- The moderators' queue -----------------------------------------------------------------


def bodies_in(html: str, *bodies: str) -> list[str]:
    """``bodies`` in the order the page shows them (by their first words)."""
    return sorted(bodies, key=lambda body: html.index(body[:25]))


def test_the_queue_shows_scores_sorts_and_filters_by_them(mod_client, article, scorer):
    for body in (RUDE, UNSURE, CIVIL, COUNTER):
        post_as_guest(article, body)
    url = reverse("admin:comments_comment_changelist")
    listing = mod_client.get(url, {"queue": "recent"}).content.decode()
    assert "hate=0.62 offensive=0.08 <small>(people like that, problem)</small>" in listing
    # Column 8 (after the checkbox) is the language scores: sortable by the top score.
    by_score = mod_client.get(url, {"queue": "recent", "o": "-8"}).content.decode()
    assert bodies_in(by_score, RUDE, UNSURE, CIVIL, COUNTER) == [RUDE, UNSURE, COUNTER, CIVIL]
    held_for_hate = mod_client.get(url, {"language": "hate-hold"}).content.decode()
    assert UNSURE[:25] in held_for_hate
    assert all(body[:25] not in held_for_hate for body in (RUDE, CIVIL, COUNTER))
    low_hate = mod_client.get(url, {"language": "hate-low"}).content.decode()
    assert all(body[:25] in low_hate for body in (RUDE, CIVIL, COUNTER))
    offensive = mod_client.get(url, {"language": "offensive-hold"}).content.decode()
    assert RUDE[:25] in offensive and UNSURE[:25] not in offensive
    assert mod_client.get(url, {"language": "nonsense-x"}).status_code == 200


def test_a_comments_page_in_the_admin_shows_its_scores_and_reasons(mod_client, article, scorer):
    comment = post_as_guest(article, UNSURE)
    page = mod_client.get(reverse("admin:comments_comment_change", args=[comment.pk]))
    html = page.content.decode()
    assert "<td>hate</td><td>0.620</td><td></td><td>people like that, problem</td>" in html
    assert "Language scorer" in html


def test_erasing_a_commenter_erases_the_words_the_checks_kept(article, scorer):
    author = guest()
    comment = post_as_guest(article, UNSURE, author)
    moderation.moderate(comments=[comment], actor=None, action="remove")
    assert comment.language_label.text == UNSURE
    moderation.erase_commenter(email=author.email)
    score = CommentScore.objects.get(comment=comment)
    assert score.reasons == {}
    assert not comment.__class__.objects.get(pk=comment.pk).body
    from comments.models import LanguageLabel

    assert not LanguageLabel.objects.exists()


def test_an_external_scorer_url_that_is_not_http_is_never_opened(article, scorer, settings):
    settings.COMMENTS_EXTERNAL_SCORER_URL = "file:///etc/hostname"
    comment = post_as_guest(article, CIVIL)
    assert comment.status == Status.PENDING
    assert comment.events.get().reason == "the external scorer could not be reached"
