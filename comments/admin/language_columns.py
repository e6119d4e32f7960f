"""The comment admin's language columns: each comment's scores and the words behind them in
the queue (sortable by the top score), the full scores, the label and the appeal on its page."""

from __future__ import annotations

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from comments.models import Comment
from comments.moderation import language
from comments.moderation.language_checks import category_label


class LanguageColumns:
    """Mixed into ``CommentAdmin``."""

    @admin.display(description=_("language"), ordering="language_score__top_score")
    def language_display(self, obj: Comment) -> str:
        score = getattr(obj, "language_score", None)
        if score is None:
            return "—"
        scores = " ".join(
            f"{category}={score.scores.get(category, 0.0):.2f}" for category in language.CATEGORIES
        )
        words = score.reasons.get(score.top_category) or []
        return format_html(
            "{}{}{}",
            scores,
            format_html(" <small>({})</small>", ", ".join(words[:3])) if words else "",
            format_html(" <small>[{}]</small>", _("shadow")) if score.shadow else "",
        )

    @admin.display(description=_("language scores"))
    def language_detail(self, obj: Comment) -> str:
        score = getattr(obj, "language_score", None)
        if score is None:
            return _("Not scored (posted before the language checks, or by a moderator).")
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    category_label(category),
                    f"{score.scores.get(category, 0.0):.3f}",
                    "" if score.external is None else f"{score.external.get(category, 0.0):.3f}",
                    ", ".join(score.reasons.get(category) or []),
                )
                for category in language.CATEGORIES
            ),
        )
        label = getattr(obj, "language_label", None)
        return format_html(
            "<table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead>"
            "<tbody>{}</tbody></table><p>{}: {}{} · {}: {}{}</p>",
            _("category"),
            _("score"),
            _("external scorer"),
            _("words that raised it"),
            rows,
            _("decided by"),
            score.get_phase_display(),
            format_html(" ({})", _("shadow mode: decided nothing")) if score.shadow else "",
            _("scorer version"),
            score.scorer_version or "—",
            format_html(
                " · {}: hate={} offensive={}", _("label"), int(label.hate), int(label.offensive)
            )
            if label
            else "",
        )

    @admin.display(description=_("appeal"))
    def appeal_display(self, obj: Comment) -> str:
        appeal = getattr(obj, "appeal", None)
        if appeal is None:
            return "—"
        state = appeal.get_outcome_display() if appeal.decided_at else _("waiting")
        return format_html(
            '<blockquote>{}</blockquote><p>{} · {}: {} · <a href="{}">{}</a></p>',
            appeal.statement,
            state,
            _("decision appealed, by"),
            appeal.decided_against_by or _("the automatic checks"),
            reverse("admin:comments_appeal_changelist") + "?" + urlencode({"state": "open"}),
            _("decide it in the appeals queue (another moderator)"),
        )
