"""The language checks' records: thresholds, scores, labels, appeals."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class LanguagePolicy(models.Model):
    """The site's one policy for the language checks (a single row, pk ``SITE``)."""

    SITE = 1

    shadow_mode = models.BooleanField(
        _("shadow mode"),
        default=False,
        help_text=_(
            "Score every comment and keep the scores, but let them decide nothing: comments "
            "are published or held as if the language checks were off. For trying thresholds "
            "on live comments before they act."
        ),
    )
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        verbose_name = _("language checks")
        verbose_name_plural = _("language checks")

    def __str__(self) -> str:
        return str(_("Language checks"))

    def get_absolute_url(self) -> str:
        return reverse("admin:comments_languagepolicy_change", args=[self.pk])


class ScoreThreshold(models.Model):
    """When one category's score holds a comment for a moderator, and when it refuses it."""

    policy = models.ForeignKey(LanguagePolicy, on_delete=models.CASCADE, related_name="thresholds")
    # One of comments.moderation.language.CATEGORIES (the admin's form offers those; they are
    # not choices here, so this module imports nothing of the moderation package).
    category = models.CharField(_("category"), max_length=20)
    hold_at = models.FloatField(
        _("hold at"),
        null=True,
        blank=True,
        help_text=_("A score from this (0 to 1) holds the comment for a moderator. Empty: never."),
    )
    refuse_at = models.FloatField(
        _("refuse at"),
        null=True,
        blank=True,
        help_text=_(
            "A score from this refuses the comment, with the reasons shown to its author. "
            "Empty: never. Keep it well above “hold at”: unsure cases are held, not refused."
        ),
    )

    class Meta:
        ordering = ["policy", "category"]
        verbose_name = _("threshold")
        verbose_name_plural = _("thresholds")
        constraints = [
            models.UniqueConstraint(
                fields=["policy", "category"], name="one_threshold_per_category"
            )
        ]

    def __str__(self) -> str:
        return f"{self.category}: {self.hold_at} / {self.refuse_at}"

    def clean(self) -> None:
        for name in ("hold_at", "refuse_at"):
            value = getattr(self, name)
            if value is not None and not 0 <= value <= 1:
                raise ValidationError({name: _("Give a score between 0 and 1.")})
        if (
            self.hold_at is not None
            and self.refuse_at is not None
            and self.refuse_at < self.hold_at
        ):
            raise ValidationError({"refuse_at": _("Refuse at a score no lower than “hold at”.")})


class Phase(models.TextChoices):
    """The checks, in the order they run; the one that decided is kept with the scores."""

    WORDS = "words", _("Word rules")
    LINKS = "links", _("Links and new commenters")
    SCORER = "scorer", _("Language scorer")
    EXTERNAL = "external", _("External scorer")
    NONE = "", _("None (published)")


class CommentScore(models.Model):
    """What the language checks found in a comment's latest text."""

    comment = models.OneToOneField(
        "comments.Comment", on_delete=models.CASCADE, related_name="language_score"
    )
    scores = models.JSONField(_("scores"), default=dict, help_text=_("Per category, 0 to 1."))
    reasons = models.JSONField(
        _("reasons"), default=dict, help_text=_("Per category, the words that raised its score.")
    )
    external = models.JSONField(
        _("external scores"),
        null=True,
        blank=True,
        help_text=_("The external scorer's answer per category, when one is configured."),
    )
    top_category = models.CharField(_("top category"), max_length=20, blank=True)
    top_score = models.FloatField(_("top score"), default=0.0, db_index=True)
    phase = models.CharField(_("decided by"), max_length=10, choices=Phase.choices, blank=True)
    decision = models.CharField(_("decision"), max_length=10, blank=True)
    shadow = models.BooleanField(
        _("in shadow mode"), default=False, help_text=_("Scored only; the scores decided nothing.")
    )
    scorer_version = models.CharField(_("scorer version"), max_length=60, blank=True)
    scored_at = models.DateTimeField(_("scored"), default=timezone.now)

    class Meta:
        ordering = ["-top_score", "pk"]
        get_latest_by = "scored_at"
        verbose_name = _("language score")
        verbose_name_plural = _("language scores")

    def __str__(self) -> str:
        return f"{self.comment_id}: {self.top_category} {self.top_score:.3f}"


class LanguageLabel(models.Model):
    """A moderator's decision on a scored comment, kept as labelled data for recalibrating
    the scorer (``manage.py export_language_labels``)."""

    comment = models.OneToOneField(
        "comments.Comment", on_delete=models.CASCADE, related_name="language_label"
    )
    text = models.TextField(_("text"))
    hate = models.BooleanField(_("hate"))
    offensive = models.BooleanField(_("offensive"))
    decision = models.CharField(_("decision"), max_length=10)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), default=timezone.now)

    class Meta:
        ordering = ["decided_at", "pk"]
        get_latest_by = "decided_at"
        verbose_name = _("language label")
        verbose_name_plural = _("language labels")

    def __str__(self) -> str:
        return f"{self.comment_id}: hate={int(self.hate)} offensive={int(self.offensive)}"


class AppealQuerySet(models.QuerySet["Appeal"]):
    def open(self) -> AppealQuerySet:
        """Appeals waiting for a moderator's decision."""
        return self.filter(decided_at__isnull=True)


class Appeal(models.Model):
    """An author contesting a moderator's or the checks' decision against their comment. A
    moderator other than the one who decided it must decide the appeal."""

    class Outcome(models.TextChoices):
        REINSTATED = "reinstated", _("Reinstated")
        UPHELD = "upheld", _("Decision upheld")

    comment = models.OneToOneField(
        "comments.Comment", on_delete=models.CASCADE, related_name="appeal"
    )
    statement = models.TextField(_("the author's explanation"), max_length=2000)
    decided_against_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decision appealed, by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Who removed or rejected the comment (empty: the automatic checks)."),
    )
    created_at = models.DateTimeField(_("appealed"), default=timezone.now, db_index=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("appeal decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices, blank=True)
    reason = models.CharField(_("reason for the outcome"), max_length=300, blank=True)

    objects = AppealQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        get_latest_by = "created_at"
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")
        constraints = [
            models.CheckConstraint(
                condition=Q(decided_at__isnull=True, outcome="")
                | Q(decided_at__isnull=False) & ~Q(outcome=""),
                name="appeal_outcome_with_decision",
            )
        ]

    def __str__(self) -> str:
        return f"appeal of {self.comment_id}"

    def get_absolute_url(self) -> str:
        return reverse("admin:comments_appeal_change", args=[self.pk])
