"""Who follows which discussion, and what is waiting to be told to whom.

Foreign keys name their models by string, so ``comments.models`` can import this module
without a cycle (it does, so Django registers these models with the comments app).
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def new_key() -> str:
    return secrets.token_urlsafe(24)


class Kind(models.TextChoices):
    """What a subscriber hears of. ("None" is having no subscription.)"""

    REPLIES = "replies", _("Replies to my comments")
    ALL = "all", _("All new comments on this article")


class Delivery(models.TextChoices):
    """When a subscriber's emails go out (Coral's choices)."""

    INSTANT = "instant", _("At once")
    HOURLY = "hourly", _("Hourly digest")
    DAILY = "daily", _("Daily digest")


class SubscriptionQuerySet(models.QuerySet["Subscription"]):
    def confirmed(self) -> SubscriptionQuerySet:
        """Subscriptions that receive email: their address has been confirmed."""
        return self.filter(confirmed_at__isnull=False)


class Subscription(models.Model):
    """A reader following one article's discussion by email."""

    Kind = Kind
    Delivery = Delivery

    article = models.ForeignKey(
        "articles.Article",
        verbose_name=_("article"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="comment_subscriptions",
    )
    email = models.EmailField(
        _("email"), help_text=_("Stored in lower case; the account's address for accounts.")
    )
    kind = models.CharField(_("notify of"), max_length=10, choices=Kind.choices)
    delivery = models.CharField(
        _("delivery"),
        max_length=10,
        choices=Delivery.choices,
        default=Delivery.INSTANT,
        help_text=_(
            "At once: the first email goes out within a minute, and what follows within "
            "COMMENTS_NOTIFY_WINDOW joins the next one. Digests: one email an hour or a day."
        ),
    )
    author_key = models.CharField(
        max_length=64,
        blank=True,
        editable=False,
        help_text=_(
            "A guest's hashed browser key: their replies subscription covers comments posted "
            "from that browser only (a guest's email is not verified)."
        ),
    )
    key = models.CharField(
        max_length=64,
        unique=True,
        default=new_key,
        editable=False,
        help_text=_("Secret in this subscription's confirmation and unsubscribe links."),
    )
    confirmed_at = models.DateTimeField(
        _("confirmed"),
        null=True,
        blank=True,
        help_text=_("Only confirmed subscriptions receive email. Guests confirm by a link."),
    )
    confirmation_pending = models.BooleanField(
        default=False, editable=False, help_text=_("A confirmation email waits for the worker.")
    )
    confirmation_requested_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = SubscriptionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        get_latest_by = "created_at"
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")
        constraints = [
            models.UniqueConstraint(fields=["article", "email"], name="one_subscription_per_email")
        ]
        indexes = [
            models.Index(fields=["email", "confirmation_requested_at"], name="sub_email_idx")
        ]

    def __str__(self) -> str:
        return f"{self.email} → {self.article_id} ({self.kind})"

    def get_absolute_url(self) -> str:
        return reverse("comments:subscriptions")

    @property
    def recipient(self) -> str:
        """Where email goes: an account's current address, or the confirmed guest address."""
        if self.user_id:
            return self.user.email
        return self.email


class Notification(models.Model):
    """Something one recipient is to be told of; sent (in a digest) by the worker.

    A row is for a subscriber or for a moderator. Rows are claimed with
    ``SELECT ... FOR UPDATE SKIP LOCKED`` and marked sent in the transaction that sends them,
    so two workers never send one twice.
    """

    class Reason(models.TextChoices):
        COMMENT = "comment", _("New comment")
        REPLY = "reply", _("Reply to your comment")
        HELD = "held", _("Waiting for moderation")
        REPORTED = "reported", _("Reported by readers")

    subscription = models.ForeignKey(
        Subscription, null=True, blank=True, on_delete=models.CASCADE, related_name="notifications"
    )
    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    comment = models.ForeignKey("comments.Comment", on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(max_length=10, choices=Reason.choices)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        get_latest_by = "created_at"
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.CheckConstraint(
                condition=Q(subscription__isnull=False, moderator__isnull=True)
                | Q(subscription__isnull=True, moderator__isnull=False),
                name="notification_has_one_recipient",
            ),
            models.UniqueConstraint(
                fields=["subscription", "comment"],
                condition=Q(subscription__isnull=False),
                name="one_notification_per_subscription",
            ),
            models.UniqueConstraint(
                fields=["moderator", "comment", "reason"],
                condition=Q(moderator__isnull=False),
                name="one_alert_per_moderator",
            ),
        ]
        indexes = [
            models.Index(
                fields=["subscription", "created_at"],
                condition=Q(sent_at__isnull=True),
                name="notification_unsent_sub_idx",
            ),
            models.Index(
                fields=["moderator", "created_at"],
                condition=Q(sent_at__isnull=True),
                name="notification_unsent_mod_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reason} on {self.comment_id}"
