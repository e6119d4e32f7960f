"""The language phases of the checks: the offline scorer, then the optional external scorer,
against the thresholds moderators set in the admin.

``comments.moderation.checks.assess`` runs the phases in this order (Coral's moderation
phases): word rules, then link and new-commenter rules, then ``check`` here (the scorer, then
the external scorer), then publish, hold or refuse. A refusal explains itself to the author
(``LanguageRefused``); a hold keeps its reason for moderators; the scores are kept with the
comment (``keep``). In shadow mode the scores are kept and decide nothing. An unsure score
(between "hold at" and "refuse at") holds: counter-speech, quotations and reclaimed words go
to a person, not to a refusal. An external scorer that fails holds, never publishes unchecked.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from comments.domain import CommentRefused
from comments.models import Comment, CommentScore, LanguagePolicy, ScoreThreshold, Status
from comments.moderation import external_scorer, language
from comments.review.models import Phase

logger = logging.getLogger(__name__)

PUBLISH, HOLD, REFUSE = "publish", "hold", "refuse"
LANGUAGE_PHASES = (Phase.SCORER, Phase.EXTERNAL)
_SEVERITY = {PUBLISH: 0, HOLD: 1, REFUSE: 2}

CATEGORY_LABELS = {
    language.HATE: gettext_lazy("hate"),
    language.OFFENSIVE: gettext_lazy("offensive language"),
}


def category_label(category: str) -> str:
    return str(CATEGORY_LABELS.get(category, category))


@dataclass(frozen=True)
class Policy:
    """The thresholds per category ((hold at, refuse at), None: never) and shadow mode."""

    thresholds: dict[str, tuple[float | None, float | None]]
    shadow: bool = False

    def decide(self, scores: dict[str, float]) -> tuple[str, list[str]]:
        """The decision these scores call for, and the categories that called for it."""
        decision, why = PUBLISH, []
        for category in language.CATEGORIES:
            value = scores.get(category, 0.0)
            hold_at, refuse_at = self.thresholds.get(category, (None, None))
            if refuse_at is not None and value >= refuse_at:
                wanted = REFUSE
            elif hold_at is not None and value >= hold_at:
                wanted = HOLD
            else:
                continue
            if _SEVERITY[wanted] > _SEVERITY[decision]:
                decision, why = wanted, [category]
            elif wanted == decision:
                why.append(category)
        return decision, why


def current_policy() -> Policy:
    """The thresholds set in the admin (one small query), each category's default where
    none is set (``language.DEFAULT_THRESHOLDS``)."""
    thresholds = dict(language.DEFAULT_THRESHOLDS)
    rows = list(
        ScoreThreshold.objects.filter(policy_id=LanguagePolicy.SITE).select_related("policy")
    )
    for row in rows:
        thresholds[row.category] = (row.hold_at, row.refuse_at)
    if rows:
        shadow = rows[0].policy.shadow_mode
    else:
        shadow = LanguagePolicy.objects.filter(pk=LanguagePolicy.SITE, shadow_mode=True).exists()
    return Policy(thresholds=thresholds, shadow=shadow)


@dataclass(frozen=True)
class Verdict:
    """What the language phases found in one text, and what they call for."""

    scores: dict[str, float]  # per category: the higher of the scorer's and the external's
    reasons: dict[str, list[str]] = field(default_factory=dict)
    external: dict[str, float] | None = None
    decision: str = PUBLISH  # what the scores call for (in shadow mode: would call for)
    phase: str = Phase.NONE  # the phase that made the decision
    reason: str = ""  # why it holds or refuses, for moderators
    categories: tuple[str, ...] = ()  # the categories behind the decision
    shadow: bool = False

    @property
    def acts(self) -> bool:
        """Whether the scores decide anything (not in shadow mode)."""
        return not self.shadow

    @property
    def holds(self) -> bool:
        """Whether the language phases hold the comment (an earlier phase may too)."""
        return self.acts and self.decision == HOLD and bool(self.reason)

    def top(self) -> tuple[str, float]:
        category = max(language.CATEGORIES, key=lambda name: self.scores.get(name, 0.0))
        return category, self.scores.get(category, 0.0)


class LanguageRefused(CommentRefused):
    """A refusal by the language phases; ``verdict`` holds the scores behind it."""

    def __init__(self, message: str, *, verdict: Verdict) -> None:
        super().__init__(message, code="language")
        self.verdict = verdict


def _words(words: list[str]) -> str:
    return ", ".join(f"“{word}”" for word in words[:5])


def _describe(categories: list[str], scores: dict[str, float], reasons: dict) -> str:
    parts = []
    for category in categories:
        part = f"{category_label(category)} {scores.get(category, 0.0):.2f}"
        if reasons.get(category):
            part += f" ({_words(reasons[category])})"
        parts.append(part)
    return "; ".join(parts)


def refusal_message(verdict: Verdict) -> str:
    """The statement of reasons a refused author reads above their kept text."""
    category = next((c for c in language.CATEGORIES if c in verdict.categories), verdict.top()[0])
    if category == language.HATE:
        what = _(
            "it very likely attacks people for who they are (their religion, origin, "
            "ethnicity, gender, sexuality or disability)"
        )
    else:
        what = _("it very likely insults or abuses someone")
    words = verdict.reasons.get(category) or []
    message = _(
        "Your comment was not posted: our automatic language check found that %(what)s."
    ) % {"what": what}
    if words:
        message += " " + _("What it picked out: %(words)s.") % {"words": _words(words)}
    return (
        message
        + " "
        + _(
            "This is an automated decision: no person has read your comment yet. You can "
            "change your words and post it again. Comments the check is unsure about go to a "
            "moderator rather than being refused."
        )
    )


def _score_locally(body: str) -> language.LanguageScore | None:
    try:
        return language.score(body)
    except Exception:  # a broken model must hold comments, not fail the request
        logger.exception("The language scorer failed")
        return None


def screen(body: str, *, policy: Policy | None = None, held_by: str = Phase.NONE) -> Verdict:
    """Run the scorer and the external scorer on ``body`` and say what they call for.
    ``held_by``: an earlier phase (word rules, new commenters) already holds the comment; it
    stays the deciding phase unless a language phase refuses. Never raises for a failing
    scorer: a failure holds."""
    policy = policy or current_policy()
    decision, phase = (HOLD, held_by) if held_by else (PUBLISH, Phase.NONE)
    found: list[str] = []  # what the language phases found, for moderators
    categories: list[str] = []

    def weigh(wanted: str, why: list[str], which: str, reason: str) -> None:
        nonlocal decision, phase, categories
        if wanted == PUBLISH:
            return
        found.append(reason)
        if _SEVERITY[wanted] > _SEVERITY[decision]:
            decision, phase, categories = wanted, which, why

    local = _score_locally(body)
    if local is None:
        scores = {name: 0.0 for name in language.CATEGORIES}
        reasons: dict[str, list[str]] = {}
        weigh(HOLD, [], Phase.SCORER, _("the language scorer failed"))
    else:
        scores = {name: float(local.scores.get(name, 0.0)) for name in language.CATEGORIES}
        reasons = {name: list(words) for name, words in local.reasons.items() if words}
        wanted, why = policy.decide(scores)
        described = _describe(why, scores, reasons)
        weigh(wanted, why, Phase.SCORER, _("language check: %(found)s") % {"found": described})
    external = None
    if external_scorer.is_configured() and decision != REFUSE:
        try:
            external = external_scorer.score(body)
        except external_scorer.ExternalScorerFailed as failure:
            weigh(HOLD, [], Phase.EXTERNAL, failure.reason)
        else:
            scores = {name: max(scores[name], external.get(name, 0.0)) for name in scores}
            wanted, why = policy.decide(external)
            described = _describe(why, external, {})
            weigh(
                wanted,
                why,
                Phase.EXTERNAL,
                _("external language check: %(found)s") % {"found": described},
            )
    return Verdict(
        scores=scores,
        reasons=reasons,
        external=external,
        decision=decision,
        phase=phase,
        reason="; ".join(found),
        categories=tuple(categories),
        shadow=policy.shadow,
    )


def check(body: str, *, held_by: str = Phase.NONE) -> Verdict:
    """The language phases of ``assess``: raises ``LanguageRefused`` when the scores refuse
    the comment (not in shadow mode); otherwise returns the verdict (``holds``: hold it)."""
    verdict = screen(body, held_by=held_by)
    if verdict.acts and verdict.decision == REFUSE:
        raise LanguageRefused(refusal_message(verdict), verdict=verdict)
    return verdict


def version() -> str:
    """The scorer's version, kept with each score (``language.VERSION`` when it has one)."""
    return str(getattr(language, "VERSION", "") or "")[:60]


def keep(comment: Comment, verdict: Verdict | None) -> None:
    """Store ``verdict``'s scores with ``comment`` (replacing those of an earlier text)."""
    if verdict is None:
        return
    top_category, top_score = verdict.top()
    CommentScore.objects.update_or_create(
        comment=comment,
        defaults={
            "scores": {name: round(value, 4) for name, value in verdict.scores.items()},
            "reasons": verdict.reasons,
            "external": verdict.external,
            "top_category": top_category,
            "top_score": top_score,
            "phase": verdict.phase,
            "decision": verdict.decision,
            "shadow": verdict.shadow,
            "scorer_version": version(),
            "scored_at": comment.edited_at or comment.created_at,
        },
    )


def held_note(comment: Comment) -> str:
    """For the author of a comment just held: a sentence saying the language check held it
    ("" when something else did, or it was not held)."""
    if comment.status != Status.PENDING:
        return ""
    by_language = CommentScore.objects.filter(
        comment=comment, shadow=False, phase__in=LANGUAGE_PHASES
    ).exists()
    if not by_language:
        return ""
    return _("Our automatic language check was unsure about it, so a person will read it first.")
