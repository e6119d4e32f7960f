"""List filters: the moderation queues (with counts), one author's comments, bans in force,
open reports."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from comments import moderation
from comments.models import Ban, Comment
from comments.moderation import Queue


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
