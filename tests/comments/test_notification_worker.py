"""Notifications through the database queue: the digest window, retries, and real workers.

These tests use the ``django-tasks-db`` backend, as production does: tasks are rows in
PostgreSQL. Most run the queued tasks in the test's process (so mail lands in
``mail.outbox``); the last ones start real ``manage.py db_worker`` processes against the
test database. A worker process cannot fill this process's ``mail.outbox``, so they send with
Django's file-based email backend into a temporary folder, which the test then reads.
"""

from __future__ import annotations

import io
import os
import smtplib
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.core.management import call_command
from django.db import connections
from django.db.models import F
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from comments.models import Comment
from comments.notifications import subscriptions, tasks
from comments.notifications.models import Notification, Subscription
from comments.services import post_comment
from tests.comments.helpers import guest, make_posted_comment, member
from tests.helpers import make_article, make_user
from tests.processes import url_of_test_database

ROOT = Path(__file__).resolve().parents[2]
WINDOW = 300


@pytest.fixture
def queued(settings):
    """Tasks go to PostgreSQL, as in production; a five-minute digest window."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.COMMENTS_NOTIFY_WINDOW = WINDOW
    settings.COMMENTS_NOTIFY_MODERATORS = False
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SITE_URL = "https://news.example.org"
    return settings


def subscribe(article, email: str) -> Subscription:
    return Subscription.objects.create(
        article=article, email=email, kind="all", confirmed_at=timezone.now()
    )


def run_due_tasks() -> int:
    """Run every task that is due, as one worker would (claim, run, record)."""
    worker = Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="in-test",
        excluded_queue_names=[],
    )
    ran = 0
    while (result := DBTaskResult.objects.ready().get_locked()) is not None:
        result.claim("in-test")
        worker.run_task(result)
        ran += 1
    return ran


def close_window(seconds: int = WINDOW) -> None:
    """Let ``seconds`` (the digest window) pass: what was sent and queued moves that far into
    the past, and every queued task becomes due."""
    passed = timedelta(seconds=seconds + 1)
    Notification.objects.update(created_at=F("created_at") - passed)
    Notification.objects.exclude(sent_at=None).update(sent_at=F("sent_at") - passed)
    DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now())


class FailingBackend(BaseEmailBackend):
    def send_messages(self, messages):
        raise smtplib.SMTPServerDisconnected("The mail server hung up")


# --- In this process, through the database queue -------------------------------------------


@pytest.mark.django_db
def test_the_first_comment_goes_out_at_once_and_a_burst_after_it_in_one_digest(
    queued, django_capture_on_commit_callbacks
):
    """A reader hears of the first new comment at once (wpDiscuz's readers do); what follows
    within the window since that email comes in one email when the window closes."""
    queued.COMMENTS_RATE_LIMITS = ""
    article = make_article()
    subscribe(article, "one@example.org")
    subscribe(article, "two@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        make_posted_comment(article, "The first.")
    assert DBTaskResult.objects.ready().count() == 2  # due at once
    assert run_due_tasks() == 2
    assert sorted((m.to[0], "The first." in m.body) for m in mail.outbox) == [
        ("one@example.org", True),
        ("two@example.org", True),
    ]

    mail.outbox.clear()
    window_ends = sorted(
        sent + timedelta(seconds=WINDOW)
        for sent in Notification.objects.values_list("sent_at", flat=True)
    )
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(5):
            make_posted_comment(article, f"Comment number {n}.")
    # One task per subscriber, due when the window since their email closes.
    due = DBTaskResult.objects.filter(status="READY").values_list("run_after", flat=True)
    assert sorted(due) == window_ends
    assert run_due_tasks() == 0 and mail.outbox == []  # nothing before the window closes

    close_window()
    assert run_due_tasks() == 2
    assert sorted(message.to[0] for message in mail.outbox) == [
        "one@example.org",
        "two@example.org",
    ]
    for message in mail.outbox:
        assert "5 new comments" in message.subject
        assert all(f"Comment number {n}." in message.body for n in range(5))
    assert not Notification.objects.filter(sent_at__isnull=True).exists()


@pytest.mark.django_db
def test_a_task_run_early_waits_for_the_window_and_sends_no_second_email(
    queued, django_capture_on_commit_callbacks
):
    """Two events at once may each queue a send: the second, run before the window since the
    first email closed, puts itself back for then."""
    article = make_article()
    subscription = subscribe(article, "one@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        make_posted_comment(article, "First.")
    run_due_tasks()
    with django_capture_on_commit_callbacks(execute=True):
        make_posted_comment(article, "Second.")
    tasks.send_digest.enqueue(subscription.pk)  # a second, early send
    assert run_due_tasks() == 1
    assert len(mail.outbox) == 1
    assert DBTaskResult.objects.filter(status="READY").count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize(("delivery", "seconds"), [("hourly", 3600), ("daily", 86400)])
def test_digest_readers_get_one_email_a_period(
    queued, django_capture_on_commit_callbacks, delivery, seconds
):
    article = make_article()
    subscription = subscribe(article, "one@example.org")
    Subscription.objects.filter(pk=subscription.pk).update(delivery=delivery)
    started = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        make_posted_comment(article, "Morning.")
        make_posted_comment(article, "Noon.")
    [due] = DBTaskResult.objects.values_list("run_after", flat=True)
    assert started + timedelta(seconds=seconds) <= due
    assert due <= timezone.now() + timedelta(seconds=seconds)
    close_window(WINDOW)
    assert run_due_tasks() == 1 and mail.outbox == []  # five minutes are not an hour
    close_window(seconds)
    assert run_due_tasks() == 1
    [message] = mail.outbox
    assert "Morning." in message.body and "Noon." in message.body


@pytest.mark.django_db
def test_comments_after_a_digest_open_a_new_window(queued, django_capture_on_commit_callbacks):
    article = make_article()
    subscribe(article, "one@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        make_posted_comment(article, "First burst.")
    close_window()
    run_due_tasks()
    with django_capture_on_commit_callbacks(execute=True):
        make_posted_comment(article, "Second burst.")
    assert DBTaskResult.objects.filter(status="READY").count() == 1
    close_window()
    run_due_tasks()
    assert [("Second burst." in m.body, "First burst." in m.body) for m in mail.outbox] == [
        (False, True),
        (True, False),
    ]


@pytest.mark.django_db
def test_sending_deletes_the_recipients_rows_sent_long_ago_and_only_theirs(
    queued, django_capture_on_commit_callbacks
):
    queued.COMMENTS_NOTIFY_RETENTION_DAYS = 30
    article = make_article()
    mine, theirs = subscribe(article, "me@example.org"), subscribe(article, "you@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        old, recent = make_posted_comment(article, "Old."), make_posted_comment(article, "Recent.")
    close_window()
    run_due_tasks()
    Notification.objects.filter(comment=old).update(sent_at=timezone.now() - timedelta(days=31))
    Notification.objects.filter(comment=recent).update(sent_at=timezone.now() - timedelta(days=29))

    with django_capture_on_commit_callbacks(execute=True):
        new = make_posted_comment(article, "New.")
    mine.notifications.filter(comment=new).delete()  # only the other subscriber hears of it
    close_window()
    run_due_tasks()

    left = set(Notification.objects.values_list("subscription__email", "comment__body"))
    assert left == {
        ("me@example.org", "Old."),  # nothing sent to me since: kept until my next email
        ("me@example.org", "Recent."),
        ("you@example.org", "Recent."),
        ("you@example.org", "New."),
    }
    assert theirs.notifications.filter(comment=new, sent_at__isnull=False).exists()


@pytest.mark.django_db
def test_posting_sends_no_email_inside_the_request(queued, django_capture_on_commit_callbacks):
    article = make_article()
    subscribe(article, "one@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        make_posted_comment(article, "Queued, not sent.")
    assert mail.outbox == []
    assert DBTaskResult.objects.get().task_path == "comments.notifications.tasks.send_digest"


@pytest.mark.django_db
def test_failed_send_is_kept_and_retried_with_growing_delays_until_it_goes(
    queued, django_capture_on_commit_callbacks
):
    article = make_article()
    subscription = subscribe(article, "one@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        make_posted_comment(article, "Hard to deliver.")
    close_window()
    queued.EMAIL_BACKEND = f"{__name__}.FailingBackend"

    delays = []
    for attempt in (1, 2, 3):
        before = timezone.now()
        assert run_due_tasks() == 1
        row = Notification.objects.get()
        assert (row.sent_at, row.attempts) == (None, attempt)
        assert "hung up" in row.last_error
        retry = DBTaskResult.objects.get(status="READY")
        assert retry.args_kwargs["args"] == [subscription.pk, attempt]
        delays.append(round((retry.run_after - before).total_seconds() / 60))
        close_window()
    assert delays == [1, 2, 4]  # minutes

    queued.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert run_due_tasks() == 1
    [message] = mail.outbox
    assert "Hard to deliver." in message.body
    row = Notification.objects.get()
    assert row.sent_at is not None and row.attempts == 4 and row.last_error == ""
    assert not DBTaskResult.objects.filter(status="READY").exists()


def test_backoff_is_capped(settings):
    settings.COMMENTS_NOTIFY_MAX_BACKOFF = 600
    assert [tasks.backoff(n).total_seconds() for n in (1, 2, 3, 4, 5, 20)] == [
        60,
        120,
        240,
        480,
        600,
        600,
    ]


@pytest.mark.django_db
def test_failed_confirmation_email_is_retried(queued):
    article = make_article()
    queued.EMAIL_BACKEND = f"{__name__}.FailingBackend"
    subscriptions.subscribe(article=article, kind="all", email="new@example.org")
    assert run_due_tasks() == 1
    assert Subscription.objects.get().confirmation_pending
    close_window()
    queued.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert run_due_tasks() == 1
    assert [m.to for m in mail.outbox] == [["new@example.org"]]
    assert not Subscription.objects.get().confirmation_pending


class SlowBackend(LocmemBackend):
    """Holds the first send until the test lets it go."""

    entered = threading.Event()
    release = threading.Event()

    def send_messages(self, messages):
        if not SlowBackend.entered.is_set():
            SlowBackend.entered.set()
            assert SlowBackend.release.wait(120)
        return super().send_messages(messages)


@pytest.mark.django_db(transaction=True)
def test_two_workers_sending_the_same_digest_at_once_send_it_once(queued):
    article = make_article()
    subscription = subscribe(article, "one@example.org")
    for n in range(3):
        comment = make_posted_comment(article, f"The new bridge opens to cyclists on day {n}.")
    Notification.objects.all().delete()
    for comment in Comment.objects.all():
        Notification.objects.create(subscription=subscription, comment=comment, reason="comment")
    queued.EMAIL_BACKEND = f"{__name__}.SlowBackend"
    SlowBackend.entered.clear()
    SlowBackend.release.clear()
    results = {}

    def first_worker():
        try:
            # As a retry (attempt 1): straight to the rows, past the check of when the digest
            # is due, which the delivery tests prove; this one is about two senders at once.
            results["first"] = tasks.send_digest.call(subscription.pk, 1)
        finally:
            connections.close_all()

    thread = threading.Thread(target=first_worker)
    thread.start()
    try:
        # The first worker holds the rows, mid-send (a bound, not a pause: it returns as soon
        # as the send begins; a machine busy with the rest of the suite may take a while).
        assert SlowBackend.entered.wait(120)
        results["second"] = tasks.send_digest.call(subscription.pk, 1)
    finally:
        SlowBackend.release.set()
        thread.join(120)
    assert results == {"first": 3, "second": 0}
    assert len(mail.outbox) == 1
    assert tasks.send_digest.call(subscription.pk, 1) == 0  # and nothing is left to send again
    assert len(mail.outbox) == 1


# --- Real worker processes ----------------------------------------------------------------------


def start_worker(
    outbox: Path, *extra: str, batch: bool = True, window: int = 0
) -> subprocess.Popen:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"TASKS_BACKEND", "EMAIL_BACKEND"}
    }
    env.update(
        DATABASE_URL=url_of_test_database(),
        DJANGO_SETTINGS_MODULE="newsroom.settings",
        DJANGO_DEBUG="1",
        EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        EMAIL_FILE_PATH=str(outbox),
        NEWSROOM_SITE_URL="https://news.example.org",
        COMMENTS_NOTIFY_WINDOW=str(window),
    )
    mode = ["--batch", "--interval", "0"] if batch else ["--interval", "1"]
    return subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", *mode, "--no-reload",
         "--no-startup-delay", *extra],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip


def sent_files(outbox: Path) -> str:
    return "".join(path.read_text() for path in sorted(outbox.glob("*.log")))


def finish(worker: subprocess.Popen) -> str:
    output, _ = worker.communicate(timeout=120)
    assert worker.returncode == 0, output
    return output


@pytest.mark.django_db(transaction=True)
def test_worker_processes_pick_queued_tasks_from_the_database_and_send_each_email_once(
    queued, tmp_path
):
    queued.COMMENTS_NOTIFY_WINDOW = 0
    article = make_article(headline="Bridge opens at last")
    readers = [f"reader{n}@example.org" for n in range(6)]
    for email in readers:
        subscribe(article, email)
    post_comment(article=article, parent=None, author=guest("Writer"), body="Worth the wait.")
    # Queued while no worker runs: six digests, and each queued a second time, as a
    # double-clicked "retry" would.
    for subscription in Subscription.objects.all():
        tasks.send_digest.enqueue(subscription.pk)
    assert DBTaskResult.objects.filter(status="READY").count() == 12
    assert mail.outbox == []
    outbox = tmp_path / "outbox"

    # A worker that stops after three tasks (as when it is restarted) loses nothing...
    finish(start_worker(outbox, "--max-tasks", "3", "--worker-id", "first"))
    assert DBTaskResult.objects.filter(status="SUCCESSFUL").count() == 3
    # ...and two workers at once take the rest without sending anything twice.
    workers = [start_worker(outbox, "--worker-id", f"w{n}") for n in (1, 2)]
    for worker in workers:
        finish(worker)

    assert DBTaskResult.objects.filter(status="SUCCESSFUL").count() == 12
    sent = sent_files(outbox)
    for email in readers:
        assert sent.count(f"To: {email}") == 1, sent
    assert "List-Unsubscribe-Post: List-Unsubscribe=One-Click" in sent
    assert "Worth the wait." in sent
    assert not Notification.objects.filter(sent_at__isnull=True).exists()
    assert django_settings.TASKS["default"]["BACKEND"] == "django_tasks_db.DatabaseBackend"


@pytest.mark.django_db
def test_rows_left_by_a_killed_worker_are_sent_after_send_notifications(
    queued, django_capture_on_commit_callbacks
):
    article = make_article()
    subscribe(article, "one@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        make_posted_comment(article, "Interrupted.")
    # The worker claimed the task and was killed: the task stays "running", the row unsent.
    DBTaskResult.objects.update(status="RUNNING")
    output = io.StringIO()
    call_command("send_notifications", stdout=output)
    assert output.getvalue() == "Queued 1 task(s); the worker sends them.\n"
    assert run_due_tasks() == 1  # the first email after a quiet spell is due at once
    [message] = mail.outbox
    assert "Interrupted." in message.body


@pytest.mark.django_db
def test_notifications_commit_with_the_comment_even_when_queueing_fails_after_commit(
    queued, django_capture_on_commit_callbacks, monkeypatch
):
    """The database goes away just after a comment committed: the digest cannot be queued,
    but its rows were written in the comment's own transaction and are sent later."""
    from django.db import OperationalError

    article = make_article()
    subscribe(article, "one@example.org")

    def database_gone(*args, **kwargs):
        raise OperationalError("the connection is lost")

    monkeypatch.setattr(tasks, "enqueue", database_gone)
    with django_capture_on_commit_callbacks(execute=True):
        comment = make_posted_comment(article, "Posted as the lights went out.")
    monkeypatch.undo()

    assert Comment.objects.filter(pk=comment.pk).exists()
    assert Notification.objects.filter(comment=comment, sent_at__isnull=True).count() == 1
    assert not DBTaskResult.objects.exists()
    call_command("send_notifications", stdout=io.StringIO())
    close_window()
    assert run_due_tasks() == 1
    [message] = mail.outbox
    assert "Posted as the lights went out." in message.body


@pytest.mark.django_db(transaction=True)
def test_a_reply_reaches_its_author_within_a_minute_with_a_real_worker_running(queued, tmp_path):
    """The reader whose comment got a reply hears of it at once (the five-minute window
    batches only what follows): a running ``db_worker`` sends it within 60 seconds."""
    article = make_article(headline="Bridge opens at last")
    reader = make_user("ruth", email="ruth@example.org")
    subscriptions.subscribe(article=article, kind="replies", user=reader)
    mine = post_comment(article=article, parent=None, author=member(reader), body="My view.")
    outbox = tmp_path / "outbox"
    worker = start_worker(outbox, batch=False, window=WINDOW)
    try:
        post_comment(article=article, parent=mine, author=guest("Writer"), body="I disagree.")
        deadline = time.monotonic() + 60
        while "To: ruth@example.org" not in sent_files(outbox):
            assert worker.poll() is None, worker.communicate()[0]
            assert time.monotonic() < deadline, "no email within 60 seconds"
            time.sleep(0.2)
    finally:
        worker.terminate()
        worker.communicate(timeout=60)
    sent = sent_files(outbox)
    assert sent.count("To: ruth@example.org") == 1
    assert "I disagree." in sent and "replied to your comment" in sent
    assert Notification.objects.get().sent_at is not None
