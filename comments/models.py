"""What readers say: the comment tree, votes, reports, and the moderators' rules and records."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.db import models, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from mptt.managers import TreeManager
from mptt.models import MPTTModel, TreeForeignKey
from mptt.querysets import TreeQuerySet

from articles.models import Article
from comments.links import comment_url

# Subscriptions and notifications, and the language checks' records, live in their own
# packages; importing them here registers them with the comments app.
from comments.notifications.models import Notification, Subscription  # noqa: F401
from comments.review.models import (  # noqa: F401
    Appeal,
    CommentScore,
    LanguageLabel,
    LanguagePolicy,
    ScoreThreshold,
)


def display_name(user) -> str:
    """How an account is named on public pages and in the API: its full name; a reader's
    chosen username; never a staff account's login name (one half of what an attacker needs
    to sign in to the admin), which shows as the site's staff instead."""
    full_name = user.get_full_name()
    if full_name:
        return full_name
    if user.is_staff:
        return _("%(site)s staff") % {"site": settings.SITE_NAME}
    return user.get_username()


class Status(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    SPAM = "spam", _("Spam")
    REMOVED = "removed", _("Removed")


# What every reader sees in full: approved, and not deleted by its author. Querysets ask
# ``visible()``; a query that needs the condition inside an OR or a subquery uses this Q.
VISIBLE = Q(status=Status.APPROVED, is_deleted=False)


class CommentQuerySet(TreeQuerySet):
    def visible(self) -> CommentQuerySet:
        """Comments every reader sees in full: approved, not deleted by their author."""
        return self.filter(VISIBLE)


class CommentManager(TreeManager.from_queryset(CommentQuerySet)):
    def recount(self, article_id: int) -> None:
        """Store the article's number of visible comments on the article (shown on cards).

        The article row is locked first, so the count (a new statement, a new snapshot) sees
        every transaction that recounted before: two posts at once cannot both write N+1.
        Callers that lock comment rows take them before this (rows, then the article).
        """
        with transaction.atomic():
            list(Article.objects.select_for_update().filter(pk=article_id).values_list("pk"))
            count = self.filter(article_id=article_id).visible().count()
            Article.objects.filter(pk=article_id).update(comment_count=count)

    def count_one_more(self, article_id: int) -> None:
        """One more visible comment on the article: the count moves by one instead of being
        recounted, so a post costs the same on a small discussion and a huge one (the UPDATE
        locks the article row, so two posts at once both count)."""
        Article.objects.filter(pk=article_id).update(comment_count=models.F("comment_count") + 1)


class Comment(MPTTModel):
    """A reader's comment. Each top-level comment roots its own tree (``tree_id``)."""

    Status = Status

    article = models.ForeignKey(
        Article, verbose_name=_("article"), on_delete=models.CASCADE, related_name="comments"
    )
    parent = TreeForeignKey(
        "self",
        verbose_name=_("in reply to"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="children",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="comments",
    )
    guest_name = models.CharField(_("name"), max_length=60, blank=True)
    guest_email = models.EmailField(_("email"), blank=True, help_text=_("Never shown on the site."))
    author_key = models.CharField(
        max_length=64,
        blank=True,
        db_index=True,
        editable=False,
        help_text=_("Hash of the guest's browser key: lets that browser edit and delete."),
    )
    body = models.TextField(_("comment"), max_length=5000)
    # A comment on one passage of the article: its paragraph (1, 2, ...) and the words quoted
    # from it, checked against the article when posted (comments.passages).
    passage = models.PositiveSmallIntegerField(_("paragraph"), null=True, blank=True)
    quote = models.CharField(_("quoted passage"), max_length=600, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.APPROVED
    )
    is_deleted = models.BooleanField(
        _("deleted by its author"),
        default=False,
        help_text=_("Kept as a placeholder while it has replies."),
    )
    is_featured = models.BooleanField(
        _("editor's pick"), default=False, help_text=_("Shown first, marked as an editor's pick.")
    )
    created_at = models.DateTimeField(_("posted"), default=timezone.now, db_index=True)
    edited_at = models.DateTimeField(_("edited"), null=True, blank=True)
    ip_address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    upvotes = models.PositiveIntegerField(default=0, editable=False)
    downvotes = models.PositiveIntegerField(default=0, editable=False)
    score = models.IntegerField(_("votes"), default=0, editable=False, db_index=True)
    flag_count = models.PositiveIntegerField(_("reports"), default=0, editable=False)
    moderator_note = models.TextField(_("moderator's note"), blank=True)
    # django-mptt's nested-set labels, 64-bit so that a thread's can be spread out with room
    # between them (comments.tree): a reply then renumbers nothing.
    lft = models.PositiveBigIntegerField(editable=False)
    rght = models.PositiveBigIntegerField(editable=False)

    objects = CommentManager()

    class MPTTMeta:
        # New comments always arrive last, so inserting as the last child keeps date order
        # without order_insertion_by (which would make every insert scan its siblings).
        pass

    class Meta:
        ordering = ["tree_id", "lft"]
        get_latest_by = "created_at"
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        indexes = [
            models.Index(fields=["article", "level", "status"], name="comment_roots_idx"),
            models.Index(fields=["tree_id", "lft"], name="comment_tree_idx"),
            # Finds a comment's last reply, and counts labels when a spot runs out of room.
            models.Index(fields=["tree_id", "rght"], name="comment_tree_right_idx"),
            models.Index(fields=["status", "-created_at"], name="comment_queue_idx"),
            # A page of threads in each order reads 20 entries of one of these, not every
            # thread of the article; counting threads reads only the first. Only top-level
            # comments are in them, so a reply that renumbers its thread updates one entry.
            models.Index(
                "article", "status", "is_deleted", "tree_id", "lft",
                condition=Q(level=0), name="comment_threads_idx",
            ),
            models.Index(
                "article", F("is_featured").desc(), "created_at", "id",
                condition=Q(level=0), name="comment_threads_oldest_idx",
            ),
            models.Index(
                "article", F("is_featured").desc(), F("created_at").desc(), F("id").desc(),
                condition=Q(level=0), name="comment_threads_newest_idx",
            ),
            models.Index(
                "article", F("is_featured").desc(), F("score").desc(), "created_at", "id",
                condition=Q(level=0), name="comment_threads_votes_idx",
            ),
            # The newest visible comments of an article: what open pages are told is new
            # (comments/reader.py), read from the top whatever the discussion's size.
            models.Index(
                "article", F("id").desc(), condition=VISIBLE, name="comment_visible_latest_idx",
            ),
        ]  # fmt: skip
        constraints = [
            # A passage and its quoted words come together, and only on a new thread.
            models.CheckConstraint(
                condition=Q(passage__isnull=True, quote="")
                | (Q(passage__isnull=False, parent__isnull=True) & ~Q(quote="")),
                name="comment_passage_on_threads_only",
            ),
        ]
        permissions = [("moderate_comment", _("Can moderate comments"))]

    def __str__(self) -> str:
        return f"{self.author_name}: {self.body[:60]}"

    def get_absolute_url(self) -> str:
        return comment_url("comments:permalink", self.pk)

    @property
    def author_name(self) -> str:
        if self.user_id:
            return str(display_name(self.user))
        return self.guest_name

    @property
    def email(self) -> str:
        return self.user.email if self.user_id else self.guest_email

    @property
    def is_visible(self) -> bool:
        return self.status == Status.APPROVED and not self.is_deleted

    @property
    def anchor(self) -> str:
        return f"c{self.pk}"

    # With room between labels (comments.tree), rght - lft no longer counts descendants as
    # django-mptt assumes: count them, unless the labels are adjacent.
    def _below(self) -> models.QuerySet:
        return Comment.objects.filter(tree_id=self.tree_id, lft__gt=self.lft, lft__lt=self.rght)

    def get_descendant_count(self) -> int:
        if self.rght is None or self.rght - self.lft == 1:
            return 0
        return self._below().count()

    def is_leaf_node(self) -> bool:
        if self.rght is None or self.rght - self.lft == 1:
            return True
        return not self._below().exists()


class Vote(models.Model):
    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="votes")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE
    )
    voter_key = models.CharField(max_length=64, blank=True)
    voter_network = models.CharField(
        max_length=64,
        blank=True,
        editable=False,
        help_text=_("A guest's address (IPv6: its /64), hashed: one guest vote per address."),
    )
    value = models.SmallIntegerField(choices=[(1, "+1"), (-1, "-1")])
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        get_latest_by = "created_at"
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        constraints = [
            models.UniqueConstraint(
                fields=["comment", "user"],
                condition=Q(user__isnull=False),
                name="one_vote_per_user",
            ),
            models.UniqueConstraint(
                fields=["comment", "voter_key"],
                condition=Q(user__isnull=True),
                name="one_vote_per_guest",
            ),
            models.UniqueConstraint(
                fields=["comment", "voter_network"],
                condition=Q(user__isnull=True) & ~Q(voter_network=""),
                name="one_guest_vote_per_address",
            ),
        ]
        indexes = [models.Index(fields=["ip_address", "created_at"], name="vote_ip_idx")]

    def __str__(self) -> str:
        return f"{self.value:+d} on {self.comment_id}"


class Flag(models.Model):
    """A reader's report of a comment."""

    class Reason(models.TextChoices):
        SPAM = "spam", _("Spam or advertising")
        ABUSE = "abuse", _("Abusive or hateful")
        OFF_TOPIC = "off_topic", _("Off-topic")
        OTHER = "other", _("Something else")

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="flags")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    reporter_key = models.CharField(max_length=64)
    reason = models.CharField(_("reason"), max_length=10, choices=Reason.choices)
    details = models.CharField(_("details"), max_length=500, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        get_latest_by = "created_at"
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        constraints = [
            models.UniqueConstraint(
                fields=["comment", "reporter_key"], name="one_report_per_reader"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_reason_display()} on {self.comment_id}"


class WordRule(models.Model):
    """A word or phrase that refuses a comment, or holds it for a moderator."""

    class Action(models.TextChoices):
        BAN = "ban", _("Refuse the comment")
        SUSPECT = "suspect", _("Hold for review")

    phrase = models.CharField(
        _("word or phrase"),
        max_length=100,
        unique=True,
        help_text=_("Matched as whole words, ignoring case."),
    )
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["action", "phrase"]
        get_latest_by = "created_at"
        verbose_name = _("word rule")
        verbose_name_plural = _("word rules")

    def __str__(self) -> str:
        return self.phrase

    def get_absolute_url(self) -> str:
        return reverse("admin:comments_wordrule_change", args=[self.pk])


class BanQuerySet(models.QuerySet["Ban"]):
    def active(self, now=None) -> BanQuerySet:
        now = now or timezone.now()
        return self.filter(Q(ends_at__isnull=True) | Q(ends_at__gt=now))


class Ban(models.Model):
    """Stops an account, an email address or an address range from commenting."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="comment_bans",
    )
    email = models.EmailField(_("email"), blank=True, db_index=True)
    network = models.CharField(
        _("address or range"),
        max_length=64,
        blank=True,
        help_text=_("An IP address (203.0.113.7) or a range (203.0.113.0/24)."),
    )
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    ends_at = models.DateTimeField(
        _("ends"), null=True, blank=True, help_text=_("Empty: the ban never ends.")
    )
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )

    objects = BanQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        get_latest_by = "created_at"
        verbose_name = _("ban")
        verbose_name_plural = _("bans")
        constraints = [
            models.CheckConstraint(
                condition=~Q(user__isnull=True, email="", network=""),
                name="ban_names_someone",
                violation_error_message=_(
                    "Name an account, an email address or an address to ban."
                ),
            )
        ]

    def __str__(self) -> str:
        return str(self.user or self.email or self.network)

    def get_absolute_url(self) -> str:
        return reverse("admin:comments_ban_change", args=[self.pk])

    def covers_address(self, address: str | None) -> bool:
        if not self.network or not address:
            return False
        try:
            return ipaddress.ip_address(address) in ipaddress.ip_network(self.network, strict=False)
        except ValueError:
            return False


class ModerationEvent(models.Model):
    """The audit trail: who did what to a comment, when and why."""

    comment = models.ForeignKey(
        Comment, null=True, on_delete=models.SET_NULL, related_name="events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Events about a whole discussion (closed, reopened) name the article and no comment.
    article = models.ForeignKey(
        Article,
        verbose_name=_("article"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=40)
    from_status = models.CharField(max_length=10, blank=True)
    to_status = models.CharField(max_length=10, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        get_latest_by = "created_at"
        verbose_name = _("moderation event")
        verbose_name_plural = _("moderation events")

    def __str__(self) -> str:
        return f"{self.action} on {self.comment_id} by {self.actor_id or 'system'}"


class ImportedRecord(models.Model):
    """What an import (``import_wordpress``, ``import_disqus``) made from one record of its
    source file: running the same file again finds the record and updates what it made
    instead of adding it twice."""

    class Kind(models.TextChoices):
        ARTICLE = "article", _("Article")
        COMMENT = "comment", _("Comment")

    source = models.CharField(
        _("source"), max_length=20, help_text=_("The importer: wordpress or disqus.")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    source_id = models.CharField(_("id in the source"), max_length=100)
    object_id = models.BigIntegerField(_("id here"))
    details = models.JSONField(
        _("details"),
        default=dict,
        blank=True,
        help_text=_("What the source said that the site has no field for (a featured image)."),
    )
    imported_at = models.DateTimeField(_("imported"), default=timezone.now)

    class Meta:
        ordering = ["source", "kind", "source_id"]
        get_latest_by = "imported_at"
        verbose_name = _("imported record")
        verbose_name_plural = _("imported records")
        constraints = [
            models.UniqueConstraint(
                fields=["source", "kind", "source_id"], name="one_record_per_source_id"
            )
        ]
        indexes = [models.Index(fields=["kind", "object_id"], name="imported_object_idx")]

    def __str__(self) -> str:
        return f"{self.source} {self.kind} {self.source_id} → {self.object_id}"

    def get_absolute_url(self) -> str:
        if self.kind == self.Kind.COMMENT:
            return comment_url("comments:permalink", self.object_id)
        article = Article.objects.filter(pk=self.object_id).only("slug").first()
        return article.get_absolute_url() if article else ""
