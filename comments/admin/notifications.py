"""Subscriptions and notifications in the admin: to answer "why did (not) I get an email?"."""

from __future__ import annotations

from django.contrib import admin

from comments.notifications.models import Notification, Subscription


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = ["email", "article", "kind", "user", "confirmed_at", "created_at"]
    list_filter = ["kind", ("confirmed_at", admin.EmptyFieldListFilter)]
    search_fields = ["email", "article__headline", "user__username"]
    raw_id_fields = ["article", "user"]
    readonly_fields = ["confirmation_requested_at", "created_at"]


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["reason", "comment", "subscription", "moderator", "created_at", "sent_at"]
    list_filter = ["reason", ("sent_at", admin.EmptyFieldListFilter)]
    raw_id_fields = ["subscription", "moderator", "comment"]
    readonly_fields = ["created_at", "sent_at", "attempts", "last_error"]

    def has_add_permission(self, request) -> bool:
        return False
