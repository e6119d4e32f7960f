"""Queue again every notification email not yet sent (normally the worker needs no help)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from comments.notifications.tasks import requeue_unsent


class Command(BaseCommand):
    help = (
        "Queue a send for every unsent notification and pending confirmation: after a worker "
        "was killed mid-task, or the task backend changed. Sending twice is prevented."
    )

    def handle(self, *args, **options) -> None:
        queued = requeue_unsent()
        self.stdout.write(f"Queued {queued} task(s); the worker sends them.")
