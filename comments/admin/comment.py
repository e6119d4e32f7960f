"""The comments' admin: the tree, the queues, each comment in context, and bulk decisions.

Emails and addresses appear on a comment's own page, for moderators, and nowhere else.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, ngettext_lazy
from mptt.admin import MPTTModelAdmin

from comments import moderation
from comments.admin.filters import (
    LanguageScoreFilter,
    QueueFilter,
    SameAuthorFilter,
    queue_counts,
)
from comments.admin.forms import CommentModerationForm, ModerationActionForm, action_options
from comments.admin.language_columns import LanguageColumns
from comments.models import Comment, Status
from comments.moderation import Queue


def excerpt(text: str, words: int = 16) -> str:
    return Truncator(" ".join(text.split())).words(words)


def _is_moderator(request: HttpRequest) -> bool:
    return moderation.is_moderator(request.user)


@dataclass(frozen=True)
class BulkDecision:
    """One of the moderators' bulk actions on selected comments."""

    name: str  # the admin action's name, as the changelist form posts it
    description: str
    done: str  # "%(count)d comments approved.", plural-aware
    apply: Callable[..., int]  # (comments, actor, reason) -> how many changed
    only_approved: bool = False  # warn when some selected comments are not approved


def _decide(action: str) -> Callable[..., int]:
    def apply(comments: QuerySet[Comment], actor, reason: str) -> int:
        return moderation.moderate(comments=comments, actor=actor, action=action, reason=reason)

    return apply


def _feature(featured: bool) -> Callable[..., int]:
    def apply(comments: QuerySet[Comment], actor, reason: str) -> int:
        return moderation.set_featured(
            comments=comments, actor=actor, featured=featured, reason=reason
        )

    return apply


BULK_DECISIONS = [
    BulkDecision(
        "approve",
        _("Approve selected comments"),
        ngettext_lazy("%(count)d comment approved.", "%(count)d comments approved.", "count"),
        _decide("approve"),
    ),
    BulkDecision(
        "reject",
        _("Reject selected comments"),
        ngettext_lazy("%(count)d comment rejected.", "%(count)d comments rejected.", "count"),
        _decide("reject"),
    ),
    BulkDecision(
        "mark_spam",
        _("Mark selected comments as spam"),
        ngettext_lazy(
            "%(count)d comment marked as spam.", "%(count)d comments marked as spam.", "count"
        ),
        _decide("spam"),
    ),
    BulkDecision(
        "remove",
        _("Remove selected comments (replies stay)"),
        ngettext_lazy("%(count)d comment removed.", "%(count)d comments removed.", "count"),
        _decide("remove"),
    ),
    BulkDecision(
        "feature",
        _("Make selected comments editor's picks"),
        ngettext_lazy(
            "%(count)d comment is now an editor's pick.",
            "%(count)d comments are now editor's picks.",
            "count",
        ),
        _feature(True),
        only_approved=True,
    ),
    BulkDecision(
        "unfeature",
        _("Stop featuring selected comments"),
        ngettext_lazy(
            "%(count)d comment is no longer an editor's pick.",
            "%(count)d comments are no longer editor's picks.",
            "count",
        ),
        _feature(False),
    ),
]


def _bulk_action(decision: BulkDecision) -> Callable[..., None]:
    """The admin action for ``decision``: apply it with the reason given, say how many."""

    def action(modeladmin: CommentAdmin, request: HttpRequest, queryset: QuerySet[Comment]):
        reason, _ends = action_options(request)
        try:
            count = decision.apply(queryset, request.user, reason)
        except PermissionDenied as refusal:  # e.g. an appeal of this moderator's own decision
            modeladmin.message_user(request, str(refusal), messages.ERROR)
            return
        modeladmin.message_user(request, decision.done % {"count": count}, messages.SUCCESS)
        if decision.only_approved and queryset.exclude(status=Status.APPROVED).exists():
            modeladmin.message_user(
                request, _("Only approved comments can be editor's picks."), messages.WARNING
            )

    action.__name__ = decision.name
    return admin.action(description=decision.description, permissions=["moderate"])(action)


@admin.register(Comment)
class CommentAdmin(LanguageColumns, MPTTModelAdmin):
    change_list_template = "admin/comments/comment/change_list.html"
    queue_list_template = "admin/comments/comment/queue_change_list.html"
    action_form = ModerationActionForm
    form = CommentModerationForm
    list_display = [
        "excerpt_display",
        "author_display",
        "article_link",
        "in_reply_to",
        "status",
        "is_featured",
        "flag_count",
        "language_display",
        "created_at",
    ]
    list_display_links = ["excerpt_display"]
    mptt_indent_field = "excerpt_display"
    mptt_level_indent = 16
    list_filter = [
        QueueFilter,
        "status",
        "is_featured",
        ("article", admin.RelatedOnlyFieldListFilter),
        LanguageScoreFilter,
        SameAuthorFilter,
    ]
    search_fields = ["body", "guest_name", "user__username", "user__first_name"]
    # Searching by email or address would let anyone who can open the list find out who
    # wrote what: only moderators, who see those details anyway.
    moderator_search_fields = ["guest_email", "user__email", "ip_address"]
    list_select_related = ["article", "user", "parent", "parent__user", "language_score"]
    list_per_page = 50
    actions = [*(_bulk_action(decision) for decision in BULK_DECISIONS), "ban_authors"]
    readonly_fields = [
        "context",
        "body_display",
        "author_display",
        "email_display",
        "ip_display",
        "created_at",
        "edited_at",
        "score",
        "reports",
        "language_detail",
        "appeal_display",
        "history",
    ]

    # --- Who may do what -------------------------------------------------------------------

    def has_moderate_permission(self, request: HttpRequest) -> bool:
        return _is_moderator(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # readers post comments; moderators decide on them

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False  # "remove" keeps the thread intact; erase_commenter erases

    def get_search_fields(self, request: HttpRequest):
        if _is_moderator(request):
            return [*self.search_fields, *self.moderator_search_fields]
        return self.search_fields

    def get_fieldsets(self, request: HttpRequest, obj=None):
        author = ["author_display"]
        if _is_moderator(request):
            author += ["email_display", "ip_display"]
        return [
            (None, {"fields": ["context", "body_display"]}),
            (_("Author"), {"fields": author}),
            (
                _("Moderation"),
                {"fields": ["status", "is_featured", "moderator_note", "reason"]},
            ),
            (_("Readers"), {"fields": ["created_at", "edited_at", "score", "reports"]}),
            (_("Language checks"), {"fields": ["language_detail", "appeal_display"]}),
            (_("History"), {"fields": ["history"]}),
        ]

    # --- The queues ------------------------------------------------------------------------

    def get_ordering(self, request: HttpRequest):
        queue = request.GET.get("queue")
        if queue in Queue.values:
            return moderation.queues.ORDERING[queue]
        return super().get_ordering(request)

    def changelist_view(self, request: HttpRequest, extra_context=None):
        counts = queue_counts(request)
        active = request.GET.get("queue", "")
        tabs = [
            {
                "label": queue.label,
                "count": counts[queue.value],
                "url": "?" + urlencode({"queue": queue.value}),
                "active": active == queue.value,
            }
            for queue in Queue
        ]
        context = {"queues": tabs, "all_comments_active": not active, **(extra_context or {})}
        response = super().changelist_view(request, extra_context=context)
        if active in Queue.values and hasattr(response, "template_name"):
            # A queue is a flat list in its own order: no tree indentation.
            response.template_name = self.queue_list_template
        return response

    # --- Columns and fields ----------------------------------------------------------------

    @admin.display(description=_("comment"))
    def excerpt_display(self, obj: Comment) -> str:
        if obj.is_deleted:
            return format_html("<em>{}</em> {}", _("(deleted by author)"), excerpt(obj.body))
        return excerpt(obj.body)

    @admin.display(description=_("author"))
    def author_display(self, obj: Comment) -> str:
        kind = _("account") if obj.user_id else _("guest")
        return format_html("{} <small>({})</small>", obj.author_name or "—", kind)

    @admin.display(description=_("article"), ordering="article__headline")
    def article_link(self, obj: Comment) -> str:
        url = "?" + urlencode({"article__id__exact": obj.article_id})
        return format_html('<a href="{}">{}</a>', url, Truncator(obj.article.headline).chars(50))

    @admin.display(description=_("in reply to"))
    def in_reply_to(self, obj: Comment) -> str:
        if obj.parent_id is None:
            return "—"
        return f"{obj.parent.author_name}: {excerpt(obj.parent.body, 10)}"

    @admin.display(description=_("in context"))
    def context(self, obj: Comment) -> str:
        article = obj.article
        parts = [
            format_html(
                '<p>{}: <a href="{}">{}</a> (<a href="{}">{}</a> · <a href="{}">{}</a>)</p>',
                _("Article"),
                reverse("admin:articles_article_change", args=[article.pk]),
                article.headline,
                article.get_absolute_url(),
                _("on the site"),
                reverse("admin:comments_comment_changelist")
                + "?"
                + urlencode({"article__id__exact": article.pk}),
                _("all its comments"),
            )
        ]
        if obj.parent_id:
            parent = obj.parent
            parts.append(
                format_html(
                    '<p>{}: <a href="{}">{}</a> ({})</p><blockquote>{}</blockquote>',
                    _("In reply to"),
                    reverse("admin:comments_comment_change", args=[parent.pk]),
                    parent.author_name or "—",
                    parent.get_status_display(),
                    excerpt(parent.body, 60),
                )
            )
        elif obj.passage:
            parts.append(
                format_html(
                    '<p>{} (<a href="{}#para-{}">{}</a>):</p><blockquote>{}</blockquote>',
                    _("A new thread, on a passage of the article"),
                    article.get_absolute_url(),
                    obj.passage,
                    _("paragraph %(number)d") % {"number": obj.passage},
                    obj.quote,
                )
            )
        else:
            parts.append(format_html("<p>{}</p>", _("A new thread (not a reply).")))
        replies = obj.get_descendant_count()
        if replies:
            parts.append(
                format_html(
                    "<p>{}</p>",
                    ngettext("%(count)d reply below it.", "%(count)d replies below it.", replies)
                    % {"count": replies},
                )
            )
        parts.append(
            format_html('<p><a href="{}">{}</a></p>', obj.get_absolute_url(), _("Permalink"))
        )
        return format_html_join("", "{}", ((part,) for part in parts))

    @admin.display(description=_("comment"))
    def body_display(self, obj: Comment) -> str:
        return obj.body  # the admin escapes it and keeps its line breaks

    @admin.display(description=_("email"))
    def email_display(self, obj: Comment) -> str:
        return obj.email or "—"

    @admin.display(description=_("address"))
    def ip_display(self, obj: Comment) -> str:
        others = (
            reverse("admin:comments_comment_changelist") + "?" + urlencode({"author_of": obj.pk})
        )
        return format_html(
            '{} · <a href="{}">{}</a>',
            obj.ip_address or _("(erased)"),
            others,
            _("all comments by this author"),
        )

    @admin.display(description=_("reports"))
    def reports(self, obj: Comment) -> str:
        flags = obj.flags.order_by("created_at")
        if not flags:
            return "—"
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "",
                "<li>{}: {} {} <small>({})</small></li>",
                (
                    (
                        flag.created_at.strftime("%Y-%m-%d %H:%M"),
                        flag.get_reason_display(),
                        flag.details,
                        _("resolved") if flag.resolved_at else _("open"),
                    )
                    for flag in flags
                ),
            ),
        )

    @admin.display(description=_("history"))
    def history(self, obj: Comment) -> str:
        events = obj.events.select_related("actor").order_by("created_at", "pk")
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    timezone.localtime(event.created_at).strftime("%Y-%m-%d %H:%M:%S"),
                    event.actor or _("system"),
                    moderation.action_label(event.action),
                    f"{event.from_status} → {event.to_status}" if event.to_status else "",
                    event.reason,
                )
                for event in events
            ),
        )
        return format_html(
            "<table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>"
            "</thead><tbody>{}</tbody></table>",
            _("when"),
            _("who"),
            _("what"),
            _("status"),
            _("why"),
            rows,
        )

    # --- Saving: through the services ------------------------------------------------------

    def save_model(self, request: HttpRequest, obj: Comment, form, change: bool) -> None:
        try:
            warnings = moderation.apply_moderator_edit(
                comment=obj,
                actor=request.user,
                status=form.cleaned_data["status"],
                is_featured=form.cleaned_data["is_featured"],
                moderator_note=form.cleaned_data["moderator_note"],
                reason=form.cleaned_data.get("reason", ""),
            )
        except PermissionDenied as refusal:
            self.message_user(request, str(refusal), messages.ERROR)
            return
        for warning in warnings:
            self.message_user(request, warning, messages.WARNING)

    # --- Bulk actions ----------------------------------------------------------------------

    @admin.action(
        description=_("Ban the authors of selected comments and remove those comments"),
        permissions=["moderate"],
    )
    def ban_authors(self, request: HttpRequest, queryset: QuerySet[Comment]) -> None:
        reason, ends_at = action_options(request)
        bans: set[int] = set()
        for comment in queryset.select_related("user").order_by("pk"):
            try:
                ban, _created = moderation.ban_author(
                    comment=comment, actor=request.user, ends_at=ends_at, reason=reason
                )
            except ValidationError as error:
                self.message_user(
                    request, f"#{comment.pk}: {' '.join(error.messages)}", messages.WARNING
                )
                continue
            bans.add(ban.pk)
        self.message_user(
            request,
            ngettext("%(count)d author banned.", "%(count)d authors banned.", len(bans))
            % {"count": len(bans)},
            messages.SUCCESS,
        )
