"""List filters: the moderation queues (with counts), one author's comments, language score
bands, bans in force, open reports."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from comments import moderation
from comments.models import Ban, Comment
from comments.moderation import Queue, language
from comments.moderation.language_checks import category_label, current_policy


def queue_counts(request: HttpRequest) -> dict[str, int]:
    """The queues' counts, once per request (the filter and the tabs both show them)."""
    if not hasattr(request, "_comment_queue_counts"):
        request._comment_queue_counts = moderation.queue_counts()
    return request._comment_queue_counts


class QueueFilter(admin.SimpleListFilter):
    title = _("queue")
    parameter_name = "queue"

    def lookups(self, request, model_admin):
        counts = queue_counts(request)
        return [(queue.value, f"{queue.label} ({counts[queue.value]})") for queue in Queue]

    def queryset(self, request, queryset):
        if self.value() in Queue.values:
            return moderation.in_queue(queryset, self.value())
        return queryset


class SameAuthorFilter(admin.SimpleListFilter):
    """``?author_of=<comment id>``: every comment by that comment's author (no email in the
    address bar). Shown only while in use."""

    title = _("author")
    parameter_name = "author_of"

    def lookups(self, request, model_admin):
        value = self.value()
        if value and value.isdigit():
            return [(value, _("Same author as comment %(id)s") % {"id": value})]
        return []

    def queryset(self, request, queryset):
        value = self.value()
        comment = Comment.objects.filter(pk=value).first() if value and value.isdigit() else None
        if comment is None:
            return queryset
        if comment.user_id:
            return queryset.filter(user_id=comment.user_id)
        if comment.guest_email:
            return queryset.filter(user__isnull=True, guest_email__iexact=comment.guest_email)
        if comment.author_key:
            return queryset.filter(user__isnull=True, author_key=comment.author_key)
        return queryset.filter(pk=comment.pk)


class LanguageScoreFilter(admin.SimpleListFilter):
    """``?language=hate-hold``: comments whose score in a category is in a band of the
    thresholds in force: at or above "refuse at", at or above "hold at" (and below "refuse
    at"), or below "hold at"; ``unscored``: comments the checks never scored."""

    title = _("language score")
    parameter_name = "language"
    BANDS = {
        "refuse": _("%(category)s: at “refuse at” or above"),
        "hold": _("%(category)s: “hold at” to “refuse at”"),
        "low": _("%(category)s: below “hold at”"),
    }

    def lookups(self, request, model_admin):
        choices = [
            (f"{category}-{band}", label % {"category": category_label(category)})
            for category in language.CATEGORIES
            for band, label in self.BANDS.items()
        ]
        return [*choices, ("unscored", _("Not scored"))]

    def queryset(self, request, queryset):
        value = self.value() or ""
        if value == "unscored":
            return queryset.filter(language_score__isnull=True)
        category, _dash, band = value.rpartition("-")
        if category not in language.CATEGORIES or band not in self.BANDS:
            return queryset
        hold_at, refuse_at = current_policy().thresholds.get(category, (None, None))
        field = f"language_score__scores__{category}"
        if band == "refuse":
            return (
                queryset.filter(**{f"{field}__gte": refuse_at})
                if refuse_at is not None
                else queryset.none()
            )
        if band == "hold":
            if hold_at is None:
                return queryset.none()
            queryset = queryset.filter(**{f"{field}__gte": hold_at})
            return (
                queryset.filter(**{f"{field}__lt": refuse_at})
                if refuse_at is not None
                else queryset
            )
        if hold_at is None:
            return queryset.filter(language_score__isnull=False)
        return queryset.filter(**{f"{field}__lt": hold_at})


class ActiveBanFilter(admin.SimpleListFilter):
    title = _("in force")
    parameter_name = "active"

    def lookups(self, request, model_admin):
        return [("yes", _("In force")), ("no", _("Ended"))]

    def queryset(self, request, queryset):
        active = Ban.objects.active().values("pk")
        if self.value() == "yes":
            return queryset.filter(pk__in=active)
        if self.value() == "no":
            return queryset.exclude(pk__in=active)
        return queryset


class OpenReportFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("open", _("Open")), ("resolved", _("Resolved"))]

    def queryset(self, request, queryset):
        if self.value() == "open":
            return queryset.filter(resolved_at__isnull=True)
        if self.value() == "resolved":
            return queryset.filter(resolved_at__isnull=False)
        return queryset
