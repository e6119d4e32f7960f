"""``manage.py db_worker``: django-tasks-db's worker, made to ride out database outages.

django-tasks-db's own worker exits on the first ``OperationalError`` it meets while fetching
a task, so a PostgreSQL restart ended it (and, under ``make run``, the whole site with it).
This one (it takes the command's name: ``newsroom`` comes before ``django_tasks_db`` in
``INSTALLED_APPS``) logs one warning, waits 1, 2, 4 ... seconds (at most
``TASKS_MAX_RECONNECT_DELAY``), and carries on once the database answers. A task that met the
outage is not recorded as failed: it is put back in the queue to run again, which the
notification tasks allow (they claim their rows with ``SKIP LOCKED`` and mark them sent in
the transaction that sends them).
"""

from __future__ import annotations

import logging
import time

from django.conf import settings
from django.db import InterfaceError, OperationalError, connections
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult

logger = logging.getLogger("django_tasks_db")

# What a lost or refused connection raises, as Django wraps it and as psycopg does.
DATABASE_DOWN = (OperationalError, InterfaceError)
_OUTAGE_CLASSES = {
    "django.db.utils.OperationalError",
    "django.db.utils.InterfaceError",
    "psycopg.OperationalError",
    "psycopg.InterfaceError",
}


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


class ResilientWorker(db_worker.Worker):
    """The worker loop, started again after a lost database instead of exiting."""

    def run(self) -> None:
        delay = 1.0
        while self.running:
            started = time.monotonic()
            try:
                super().run()
                return  # --batch found nothing more, or --max-tasks was reached
            except DATABASE_DOWN as error:
                if not self.running:
                    return
                if time.monotonic() - started > 2 * delay:  # it worked for a while
                    delay = 1.0
                logger.warning(
                    "Database unavailable (%s); trying again in %.0f s", _first_line(error), delay
                )
                connections.close_all()
                time.sleep(delay)
                delay = min(delay * 2, float(settings.TASKS_MAX_RECONNECT_DELAY))
                self._requeue_interrupted()

    def _requeue_interrupted(self) -> None:
        """Put back in the queue the tasks this worker had claimed when the database went
        away (their result could not be recorded). Quietly: the database may still be away,
        and the next loop meets that."""
        try:  # (the connections were closed before the pause: this one is new)
            requeued = DBTaskResult.objects.filter(
                status="RUNNING", worker_ids__contains=[self.worker_id]
            ).update(status="READY", started_at=None)
        except DATABASE_DOWN:
            return
        if requeued:
            logger.warning("Queued again %d task(s) the outage interrupted", requeued)

    def run_task(self, db_task_result: DBTaskResult) -> None:
        super().run_task(db_task_result)
        if (
            db_task_result.status == "FAILED"
            and db_task_result.exception_class_path in _OUTAGE_CLASSES
        ):
            # It met the outage, and the database was back in time to record that: run it
            # again rather than leave its emails unsent.
            DBTaskResult.objects.filter(pk=db_task_result.pk).update(
                status="READY", started_at=None, finished_at=None, exception_class_path="",
                traceback="",
            )  # fmt: skip
            logger.warning("Task %s met a database outage: queued again", db_task_result.pk)


class Command(db_worker.Command):
    help = "Run the task worker (django-tasks-db's), reconnecting after database outages."

    def handle(self, *args, **options) -> None:
        db_worker.Worker = ResilientWorker  # the base command builds the worker it names
        super().handle(*args, **options)
