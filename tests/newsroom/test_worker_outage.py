"""``manage.py db_worker`` (newsroom's, around django-tasks-db's): a task that meets a lost
database is queued again, never left failed with its emails unsent. The worker's reconnect
loop is proven against a real PostgreSQL restart in tests/soak/test_make_run.py."""

from __future__ import annotations

import pytest
from django.db import OperationalError
from django_tasks import task
from django_tasks_db.models import DBTaskResult

from newsroom.management.commands.db_worker import ResilientWorker

pytestmark = pytest.mark.django_db

calls: list[str] = []


@task()
def meets_an_outage() -> None:
    calls.append("outage")
    raise OperationalError("connection is bad: server closed the connection unexpectedly")


@task()
def has_a_bug() -> None:
    calls.append("bug")
    raise ValueError("a bug")


@pytest.fixture
def database_queue(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def run_once() -> None:
    worker = ResilientWorker(
        queue_names=["default"], interval=0, batch=True, backend_name="default",
        startup_delay=False, max_tasks=None, worker_id="in-test", excluded_queue_names=[],
    )  # fmt: skip
    result = DBTaskResult.objects.ready().get_locked()
    result.claim("in-test")
    worker.run_task(result)


@pytest.mark.usefixtures("database_queue")
def test_a_task_that_meets_a_lost_database_is_queued_again():
    calls.clear()
    meets_an_outage.enqueue()
    run_once()
    result = DBTaskResult.objects.get()
    assert (result.status, result.exception_class_path) == ("READY", "")
    run_once()  # and runs again
    assert calls == ["outage", "outage"]


@pytest.mark.usefixtures("database_queue")
def test_a_task_that_fails_otherwise_is_recorded_as_failed():
    calls.clear()
    has_a_bug.enqueue()
    run_once()
    result = DBTaskResult.objects.get()
    assert (result.status, result.exception_class_path) == ("FAILED", "builtins.ValueError")
    assert not DBTaskResult.objects.ready().exists()


@pytest.mark.usefixtures("database_queue")
def test_after_an_outage_the_worker_queues_again_the_tasks_it_had_claimed():
    """The database went away mid-task, before the result could be recorded: the task is
    left "running" under this worker's id, and is put back once the database answers."""
    has_a_bug.enqueue()
    has_a_bug.enqueue()
    mine, theirs = DBTaskResult.objects.all()
    mine.claim("in-test")
    theirs.claim("another-worker")
    worker = ResilientWorker(
        queue_names=["default"], interval=0, batch=True, backend_name="default",
        startup_delay=False, max_tasks=None, worker_id="in-test", excluded_queue_names=[],
    )  # fmt: skip
    worker._requeue_interrupted()
    statuses = dict(DBTaskResult.objects.values_list("pk", "status"))
    assert statuses == {mine.pk: "READY", theirs.pk: "RUNNING"}
