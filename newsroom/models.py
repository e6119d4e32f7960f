"""Site-wide state that every worker and app host must share."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


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
