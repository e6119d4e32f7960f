"""Erase readers' addresses older than the retention period. Run it daily (cron, a timer)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from comments.models import Comment, Flag, Vote
from comments.moderation import purge_addresses


class Command(BaseCommand):
    help = (
        "Erase the IP addresses stored with comments, reports and votes older than "
        "COMMENTS_ADDRESS_RETENTION_DAYS (or --days)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help="Keep addresses this many days (default: COMMENTS_ADDRESS_RETENTION_DAYS).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Count what would be erased; change nothing."
        )

    def handle(self, *args, days: int | None, dry_run: bool, **options) -> None:
        days = settings.COMMENTS_ADDRESS_RETENTION_DAYS if days is None else days
        if days < 0:
            raise CommandError("--days cannot be negative.")
        if dry_run:
            cutoff = timezone.now() - timedelta(days=days)
            counts = {
                name: model.objects.filter(created_at__lt=cutoff, ip_address__isnull=False).count()
                for name, model in (("comments", Comment), ("reports", Flag), ("votes", Vote))
            }
            verb = "Would erase"
        else:
            counts = purge_addresses(days=days)
            verb = "Erased"
        self.stdout.write(
            f"{verb} addresses older than {days} days: {counts['comments']} comments, "
            f"{counts['reports']} reports, {counts['votes']} votes."
        )
