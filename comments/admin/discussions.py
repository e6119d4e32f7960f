"""Closing and reopening discussions, from the articles' list in the admin.

It is moderators' work (``comments.moderation`` records it) and moderators may do it without
being able to edit the article, so the comments app adds these actions to the articles' admin:
``articles`` knows nothing of comments' internals.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from articles.admin import ArticleAdmin
from articles.models import Article
from comments import moderation


class ArticleDiscussionAdmin(ArticleAdmin):
    actions = [*ArticleAdmin.actions, "close_discussion", "reopen_discussion"]

    def has_moderate_permission(self, request: HttpRequest) -> bool:
        return moderation.is_moderator(request.user)

    @admin.action(
        description=_("Close the discussion on selected articles"), permissions=["moderate"]
    )
    def close_discussion(self, request: HttpRequest, queryset: QuerySet[Article]) -> None:
        count = sum(
            moderation.close_discussion(article=article, actor=request.user) for article in queryset
        )
        self.message_user(
            request,
            ngettext("%d discussion closed.", "%d discussions closed.", count) % count,
            messages.SUCCESS,
        )

    @admin.action(
        description=_("Reopen the discussion on selected articles"), permissions=["moderate"]
    )
    def reopen_discussion(self, request: HttpRequest, queryset: QuerySet[Article]) -> None:
        count = sum(
            moderation.open_discussion(article=article, actor=request.user) for article in queryset
        )
        self.message_user(
            request,
            ngettext("%d discussion reopened.", "%d discussions reopened.", count) % count,
            messages.SUCCESS,
        )


admin.site.unregister(Article)
admin.site.register(Article, ArticleDiscussionAdmin)
