"""Site-wide state that every worker and app host must share."""

from __future__ import annotations

from django.conf import settings
from django.contrib.sessions.base_session import AbstractBaseSession
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from newsroom import sessions


class Counter(models.Model):
    """One count in one fixed time window (a rate limit's "5 per minute").

    Written only by ``newsroom.ratelimit`` with an atomic upsert, so every gunicorn worker
    and every app host on the same PostgreSQL counts together. Rows past ``expires_at`` are
    deleted as new windows open.
    """

    key = models.CharField(max_length=200)
    window = models.BigIntegerField(
        help_text=_("The window's number: its start in seconds / length.")
    )
    count = models.PositiveIntegerField(default=0)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["key", "window"]
        get_latest_by = "expires_at"
        verbose_name = _("rate-limit counter")
        verbose_name_plural = _("rate-limit counters")
        constraints = [
            models.UniqueConstraint(fields=["key", "window"], name="one_counter_per_window")
        ]

    def __str__(self) -> str:
        return f"{self.key} @ {self.window}: {self.count}"


class Session(AbstractBaseSession):
    """A reader's session (``SESSION_ENGINE``, newsroom/sessions.py), with the account it is
    signed in to beside its data, so that one round trip reads a reader's session, account
    and page layer together (newsroom/signed_in.py). The data stays the authority: the
    column is written from it on every save, and a row whose column and data disagree is
    never trusted."""

    user_id = models.BigIntegerField(
        _("account"),
        null=True,
        blank=True,
        db_index=True,
        editable=False,
        help_text=_("The account signed in with this session, as its data says; none for a guest."),
    )

    class Meta(AbstractBaseSession.Meta):
        db_table = sessions.TABLE  # its statements are written out (newsroom/signed_in.py)
        ordering = ["expire_date"]
        get_latest_by = "expire_date"

    @classmethod
    def get_session_store_class(cls):
        return sessions.SessionStore


class AccountDeletion(models.Model):
    """A reader's confirmed request to delete their account: carried out at ``due_at`` (after
    the grace period, ``ACCOUNTS_DELETION_GRACE_DAYS``) by a background task, or by
    ``manage.py delete_accounts``; signing in and choosing "Keep my account" before then
    cancels it."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="deletion",
        verbose_name=_("account"),
    )
    confirmed_at = models.DateTimeField(_("confirmed"))
    due_at = models.DateTimeField(_("deleted at"), db_index=True)

    class Meta:
        ordering = ["due_at"]
        get_latest_by = "confirmed_at"
        verbose_name = _("account deletion")
        verbose_name_plural = _("account deletions")

    def __str__(self) -> str:
        return f"{self.user_id} at {self.due_at:%Y-%m-%d %H:%M}"

    def get_absolute_url(self) -> str:
        return reverse("own_data")
