"""The language checks in the admin: thresholds and shadow mode, the appeals queue, and the
labels moderators' decisions leave. Moderators (``comments.moderate_comment``) may use all of
it; the decisions go through ``comments.moderation``."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from comments import moderation
from comments.admin.comment import excerpt
from comments.admin.forms import action_options
from comments.models import Appeal, LanguageLabel, LanguagePolicy, ScoreThreshold
from comments.moderation import language
from comments.moderation.language_checks import category_label


class ModeratorsOnly:
    """Moderators view and change these; nobody adds or deletes them by hand."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return moderation.is_moderator(request.user)

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return moderation.is_moderator(request.user)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return moderation.is_moderator(request.user)

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_moderate_permission(self, request: HttpRequest) -> bool:
        return moderation.is_moderator(request.user)


# --- Thresholds ----------------------------------------------------------------------------


class ThresholdForm(forms.ModelForm):
    category = forms.ChoiceField(
        label=_("category"),
        choices=[(name, category_label(name)) for name in language.CATEGORIES],
    )

    class Meta:
        model = ScoreThreshold
        fields = ["category", "hold_at", "refuse_at"]


class ThresholdInline(ModeratorsOnly, admin.TabularInline):
    model = ScoreThreshold
    form = ThresholdForm
    extra = 0
    max_num = len(language.CATEGORIES)

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return moderation.is_moderator(request.user)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return moderation.is_moderator(request.user)


@admin.register(LanguagePolicy)
class LanguagePolicyAdmin(ModeratorsOnly, admin.ModelAdmin):
    """One row: shadow mode, and under it the thresholds per category (a category without a
    row uses the scorer's default)."""

    inlines = [ThresholdInline]
    list_display = ["__str__", "shadow_mode", "thresholds_display", "updated_at"]
    fields = ["shadow_mode"]

    @admin.display(description=_("thresholds (hold at / refuse at)"))
    def thresholds_display(self, obj: LanguagePolicy) -> str:
        return "; ".join(
            f"{category_label(row.category)}: {row.hold_at if row.hold_at is not None else '—'}"
            f" / {row.refuse_at if row.refuse_at is not None else '—'}"
            for row in obj.thresholds.all()
        )


# --- Appeals -------------------------------------------------------------------------------


class AppealStateFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("open", _("Waiting")), ("decided", _("Decided"))]

    def queryset(self, request, queryset):
        if self.value() == "open":
            return queryset.open()
        if self.value() == "decided":
            return queryset.filter(decided_at__isnull=False)
        return queryset


class AppealActionForm(helpers.ActionForm):
    reason = forms.CharField(label=_("Reason"), required=False, max_length=300)


def _decide_appeals(reinstate: bool):
    def action(modeladmin, request: HttpRequest, queryset: QuerySet[Appeal]) -> None:
        reason, _ends = action_options(request)
        decided = 0
        for appeal in queryset.order_by("pk"):
            try:
                if moderation.decide_appeal(
                    appeal=appeal, actor=request.user, reinstate=reinstate, reason=reason
                ):
                    decided += 1
            except PermissionDenied as refusal:
                modeladmin.message_user(request, f"#{appeal.comment_id}: {refusal}", messages.ERROR)
        modeladmin.message_user(
            request,
            ngettext("%(count)d appeal decided.", "%(count)d appeals decided.", decided)
            % {"count": decided},
            messages.SUCCESS if decided else messages.WARNING,
        )

    action.__name__ = "reinstate" if reinstate else "uphold"
    description = (
        _("Reinstate the comments (grant the appeals)")
        if reinstate
        else _("Uphold the decisions (turn the appeals down)")
    )
    return admin.action(description=description, permissions=["moderate"])(action)


@admin.register(Appeal)
class AppealAdmin(ModeratorsOnly, admin.ModelAdmin):
    """The appeals queue. The moderator who made the contested decision cannot decide it."""

    action_form = AppealActionForm
    actions = [_decide_appeals(True), _decide_appeals(False)]
    list_display = [
        "comment_display",
        "statement_display",
        "decided_against_by",
        "created_at",
        "outcome",
        "decided_by",
    ]
    list_filter = [AppealStateFilter, "outcome"]
    list_select_related = ["comment", "decided_against_by", "decided_by"]
    fields = [
        "comment_display",
        "statement",
        "decided_against_by",
        "created_at",
        "outcome",
        "decided_by",
        "decided_at",
        "reason",
    ]
    readonly_fields = fields

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False  # decided by the actions, which check who may

    @admin.display(description=_("comment"))
    def comment_display(self, obj: Appeal) -> str:
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:comments_comment_change", args=[obj.comment_id]),
            excerpt(obj.comment.body, 12) or f"#{obj.comment_id}",
        )

    @admin.display(description=_("the author's explanation"))
    def statement_display(self, obj: Appeal) -> str:
        return excerpt(obj.statement, 30)


@admin.register(LanguageLabel)
class LanguageLabelAdmin(ModeratorsOnly, admin.ModelAdmin):
    """Moderators' decisions as labels (``manage.py export_language_labels``); read-only."""

    list_display = ["text_display", "hate", "offensive", "decision", "decided_by", "decided_at"]
    list_filter = ["hate", "offensive", "decision"]
    list_select_related = ["decided_by"]
    search_fields = ["text"]
    fields = ["text", "hate", "offensive", "decision", "decided_by", "decided_at"]
    readonly_fields = fields

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.display(description=_("text"))
    def text_display(self, obj: LanguageLabel) -> str:
        return excerpt(obj.text, 20)
