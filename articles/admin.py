from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from articles.models import Article, Author, OldPermalink, Section, Tag


class StateFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("draft", _("Draft")), ("scheduled", _("Scheduled")), ("published", _("Published"))]

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() == "draft":
            return queryset.filter(status=Article.Status.DRAFT)
        if self.value() == "scheduled":
            return queryset.filter(status=Article.Status.PUBLISHED, published_at__gt=now)
        if self.value() == "published":
            return queryset.published(now)
        return queryset


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["headline", "section", "state_display", "published_at", "featured", "preview"]
    list_filter = [StateFilter, "section", "authors", "published_at", "featured"]
    list_select_related = ["section"]
    search_fields = ["headline", "standfirst", "body"]
    prepopulated_fields = {"slug": ["headline"]}
    autocomplete_fields = ["tags", "authors", "related_picks"]
    date_hierarchy = "published_at"
    readonly_fields = ["preview", "modified_at"]
    actions = ["publish", "unpublish"]
    fieldsets = [
        (None, {"fields": ["headline", "slug", "standfirst", "body"]}),
        (_("Lead image"), {"fields": ["lead_image", "image_alt", "image_caption", "image_credit"]}),
        (_("Filing"), {"fields": ["section", "tags", "authors", "related_picks", "featured"]}),
        (
            _("Publication"),
            {"fields": ["status", "published_at", "updated_at", "modified_at", "preview"]},
        ),
        (
            _("Comments"),
            {"fields": ["comments_open", "comments_close_after_days", "comments_premoderated"]},
        ),
    ]

    @admin.display(description=_("state"))
    def state_display(self, obj: Article) -> str:
        return obj.state

    @admin.display(description=_("preview"))
    def preview(self, obj: Article) -> str:
        if not obj.pk:
            return "—"
        label = _("View on site") if obj.is_published() else _("Preview")
        return format_html('<a href="{}" target="_blank">{}</a>', obj.get_absolute_url(), label)

    @admin.action(description=_("Publish selected articles now"), permissions=["change"])
    def publish(self, request: HttpRequest, queryset: QuerySet[Article]) -> None:
        count = 0
        now = timezone.now()
        for article in queryset:
            if article.is_published(now):
                continue
            article.status = Article.Status.PUBLISHED
            if article.published_at is None or article.published_at > now:
                article.published_at = now
            article.save()
            count += 1
        self.message_user(
            request,
            ngettext("%d article published.", "%d articles published.", count) % count,
            messages.SUCCESS,
        )

    @admin.action(
        description=_("Unpublish selected articles (back to draft)"), permissions=["change"]
    )
    def unpublish(self, request: HttpRequest, queryset: QuerySet[Article]) -> None:
        count = queryset.update(status=Article.Status.DRAFT, modified_at=timezone.now())
        self.message_user(
            request,
            ngettext("%d article unpublished.", "%d articles unpublished.", count) % count,
            messages.SUCCESS,
        )


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "position"]
    list_editable = ["position"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "user"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name", "bio"]
    raw_id_fields = ["user"]


@admin.register(OldPermalink)
class OldPermalinkAdmin(admin.ModelAdmin):
    """Old addresses (from an import, or added by hand) that redirect to an article."""

    list_display = ["path", "article", "created_at"]
    search_fields = ["path", "article__headline", "article__slug"]
    raw_id_fields = ["article"]
