"""Carry out account deletions whose grace period has passed (the worker's task does too)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from newsroom import own_data


class Command(BaseCommand):
    help = (
        "Delete the accounts whose owners confirmed deletion more than "
        "ACCOUNTS_DELETION_GRACE_DAYS ago. The background worker does this when each is due; "
        "run this to catch up after the worker was stopped."
    )

    def handle(self, *args, **options) -> None:
        done = own_data.complete_due_deletions()
        self.stdout.write(f"{done} accounts deleted.")
