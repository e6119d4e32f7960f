"""Bans, word lists, readers' reports and the audit trail (the last two read-only)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from comments import moderation
from comments.admin.comment import excerpt
from comments.admin.filters import ActiveBanFilter, OpenReportFilter
from comments.admin.forms import BanForm, WordRuleForm
from comments.models import Ban, Comment, Flag, ModerationEvent, WordRule


@admin.register(Ban)
class BanAdmin(admin.ModelAdmin):
    form = BanForm
    list_display = [
        "__str__",
        "network",
        "reason",
        "ends_at",
        "in_force",
        "created_by",
        "created_at",
    ]
    list_filter = [ActiveBanFilter]
    search_fields = ["email", "network", "user__username", "user__email", "reason"]
    raw_id_fields = ["user"]
    list_select_related = ["user", "created_by"]
    actions = ["lift"]

    @admin.display(description=_("in force"), boolean=True)
    def in_force(self, obj: Ban) -> bool:
        return obj.ends_at is None or obj.ends_at > timezone.now()

    def save_model(self, request: HttpRequest, obj: Ban, form, change: bool) -> None:
        moderation.save_ban(ban=obj, actor=request.user)

    def delete_model(self, request: HttpRequest, obj: Ban) -> None:
        moderation.delete_ban(ban=obj, actor=request.user)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Ban]) -> None:
        for ban in queryset:
            moderation.delete_ban(ban=ban, actor=request.user)

    @admin.action(description=_("Lift selected bans now"), permissions=["change"])
    def lift(self, request: HttpRequest, queryset: QuerySet[Ban]) -> None:
        count = sum(moderation.lift_ban(ban=ban, actor=request.user) for ban in queryset)
        self.message_user(
            request,
            ngettext("%(count)d ban lifted.", "%(count)d bans lifted.", count) % {"count": count},
            messages.SUCCESS,
        )


@admin.register(WordRule)
class WordRuleAdmin(admin.ModelAdmin):
    form = WordRuleForm
    list_display = ["phrase", "action", "created_at"]
    list_filter = ["action"]
    search_fields = ["phrase"]


def comment_link(comment: Comment | None) -> str:
    if comment is None:
        return "—"
    return format_html(
        '<a href="{}">{}</a>',
        reverse("admin:comments_comment_change", args=[comment.pk]),
        excerpt(comment.body, 10) or f"#{comment.pk}",
    )


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(Flag)
class FlagAdmin(ReadOnlyAdmin):
    """Readers' reports. Decide on the comment itself; that resolves its reports."""

    list_display = ["comment_display", "reason", "details", "created_at", "resolved_at"]
    list_filter = [OpenReportFilter, "reason"]
    list_select_related = ["comment"]
    fields = ["comment_display", "reason", "details", "created_at", "resolved_at"]
    readonly_fields = fields
    date_hierarchy = "created_at"

    @admin.display(description=_("comment"))
    def comment_display(self, obj: Flag) -> str:
        return comment_link(obj.comment)


@admin.register(ModerationEvent)
class ModerationEventAdmin(ReadOnlyAdmin):
    list_display = [
        "created_at",
        "action_display",
        "comment_display",
        "article",
        "actor",
        "from_status",
        "to_status",
        "reason",
    ]
    list_filter = ["action", ("actor", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["comment", "article", "actor"]
    search_fields = ["reason", "comment__body"]
    date_hierarchy = "created_at"
    fields = [
        "created_at",
        "action_display",
        "comment_display",
        "article",
        "actor",
        "from_status",
        "to_status",
        "reason",
    ]
    readonly_fields = fields

    @admin.display(description=_("action"), ordering="action")
    def action_display(self, obj: ModerationEvent) -> str:
        return moderation.action_label(obj.action)

    @admin.display(description=_("comment"))
    def comment_display(self, obj: ModerationEvent) -> str:
        return comment_link(obj.comment)
