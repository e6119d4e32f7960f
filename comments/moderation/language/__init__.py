"""The offline language scorer: how likely a comment's words are identity-based hate, or
offensive language, and which words or phrases drove each score.

This is the contract the moderation checks build on. ``score`` is pure (text in, scores out),
runs on the CPU, never touches the network, and loads its model once per process (``load``,
called by gunicorn's preloaded master so workers share it).

The model itself is filled in by the training work (see ``docs/moderation-model.md``); until
then every score is 0.0, which decides nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

HATE = "hate"  # attacks people for who they are: religion, ethnicity, origin, gender, ...
OFFENSIVE = "offensive"  # insults, slurs and abuse that are not about a group
CATEGORIES: tuple[str, ...] = (HATE, OFFENSIVE)

# The scores at which a comment is held for a moderator, and refused outright, per category
# (None: never). The model's calibration sets these; moderators change them in the admin.
DEFAULT_THRESHOLDS: dict[str, tuple[float | None, float | None]] = {
    HATE: (0.5, 0.9),
    OFFENSIVE: (0.7, None),
}


@dataclass(frozen=True)
class LanguageScore:
    """``scores`` maps each category to a probability in [0, 1]; ``reasons`` maps it to the
    words or phrases that raised that score most, strongest first (possibly empty)."""

    scores: dict[str, float]
    reasons: dict[str, list[str]] = field(default_factory=dict)

    def top(self) -> tuple[str, float]:
        """The category with the highest score, and that score."""
        category = max(CATEGORIES, key=lambda name: self.scores.get(name, 0.0))
        return category, self.scores.get(category, 0.0)


def load() -> None:
    """Load the model into this process (idempotent)."""


def score(text: str) -> LanguageScore:
    """Score one comment's text."""
    return LanguageScore(scores={name: 0.0 for name in CATEGORIES})
