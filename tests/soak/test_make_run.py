"""``make run``'s own process layout under faults: ``newsroom.together`` supervising gunicorn
(two workers) and the task worker, on a PostgreSQL server of the test's own, while readers
post. A gunicorn worker is SIGKILLed and PostgreSQL restarts; then, without restarting
anything, the site answers, nothing acknowledged is lost, the task worker is still the same
process (it rode the outage out), and a reply's email reaches its subscriber within a minute.

Marked ``soak`` (under a minute).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import psutil
import psycopg
import pytest

from tests.soak.servers import OwnServer, free_port, wait_until
from tests.soak.test_faults import (
    MARKER,
    POSTED,
    PREPARE,
    SETUP_ARTICLE,
    Outcomes,
    Reader,
    _form_tokens,
    _manage,
    _reader_loop,
)

pytestmark = pytest.mark.soak

ROOT = Path(__file__).resolve().parents[2]
READERS = 8
RUN_SECONDS = 16
KILL_WORKER_AT = 4
DATABASE_DOWN_AT = 7
OUTAGE_SECONDS = 3
EMAIL_DEADLINE = 60

SETUP_SUBSCRIBER = """
from django.contrib.auth.models import User
from django.utils import timezone
from articles.models import Article
from comments.domain import Commenter
from comments.notifications.models import Subscription
from comments.services import post_comment
article = Article.objects.get(slug="soak-test")
ruth = User.objects.create_user("ruth", "ruth@example.org", "a long enough password 1")
Subscription.objects.create(
    article=article, user=ruth, email=ruth.email, kind="replies", confirmed_at=timezone.now()
)
comment = post_comment(article=article, parent=None, author=Commenter.from_user(ruth),
                       body="Ruth's view.")
print(comment.pk)
"""


def _processes(supervisor: subprocess.Popen) -> tuple[psutil.Process, psutil.Process]:
    """gunicorn's master and the task worker, the supervisor's two children."""
    children = psutil.Process(supervisor.pid).children()
    master = next(p for p in children if "gunicorn" in " ".join(p.cmdline()))
    worker = next(p for p in children if "db_worker" in " ".join(p.cmdline()))
    return master, worker


def test_make_run_rides_out_a_killed_web_worker_and_a_database_restart(tmp_path):
    server = OwnServer()
    database_url = server.start()
    supervisor = None
    try:
        prepared = _manage(
            database_url, "shell", "-v0", script=PREPARE + SETUP_ARTICLE + SETUP_SUBSCRIBER
        )
        article_id, article_url, ruths_comment = prepared.split()[-3:]
        ruths_comment = int(ruths_comment)
        port = free_port()
        outbox = tmp_path / "outbox"
        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "DJANGO_DEBUG": "1",
            "GUNICORN_BIND": f"127.0.0.1:{port}",
            "WEB_CONCURRENCY": "2",
            "COMMENTS_RATE_LIMITS": "",
            "COMMENTS_FORM_MIN_SECONDS": "0",
            "DJANGO_LOG_LEVEL": "WARNING",
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": str(outbox),
            "TASKS_MAX_RECONNECT_DELAY": "2",
        }
        for name in ("DJANGO_ALLOW_ASYNC_UNSAFE", "TASKS_BACKEND"):
            env.pop(name, None)
        log_path = tmp_path / "make-run.log"
        with open(log_path, "w") as log:
            supervisor = subprocess.Popen(
                [sys.executable, "-m", "newsroom.together",
                 f"{sys.executable} -m gunicorn --config deploy/gunicorn.conf.py "
                 "--access-logfile /dev/null newsroom.wsgi",
                 f"{sys.executable} manage.py db_worker --no-reload --no-startup-delay"],
                cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
            )  # fmt: skip
        probe = Reader(port, -1, script=False)

        def healthy() -> bool:
            try:
                return probe.request("GET", "/healthz")[0] == 200
            except OSError:
                return False

        wait_until(healthy, timeout=60, interval=0.2)
        master, task_worker = _processes(supervisor)
        wait_until(lambda: len(master.children()) == 2, timeout=30)

        outcomes = Outcomes()
        start = time.monotonic()
        stop = start + RUN_SECONDS
        article = (int(article_id), article_url)
        readers = [
            threading.Thread(target=_reader_loop, args=(Reader(port, n), article, outcomes, stop))
            for n in range(READERS)
        ]
        for thread in readers:
            thread.start()
        time.sleep(KILL_WORKER_AT)
        victim = sorted(child.pid for child in master.children())[0]
        os.kill(victim, signal.SIGKILL)
        time.sleep(DATABASE_DOWN_AT - KILL_WORKER_AT)
        server.stop_server()
        time.sleep(OUTAGE_SECONDS)
        server.start_server()
        wait_until(healthy, timeout=30, interval=0.1)
        for thread in readers:
            thread.join(timeout=RUN_SECONDS + 60)
        assert not any(thread.is_alive() for thread in readers)

        # Nothing was restarted: the same supervisor, gunicorn master and task worker, and a
        # new gunicorn worker in the killed one's place.
        assert supervisor.poll() is None
        assert _processes(supervisor) == (master, task_worker)
        assert victim not in {child.pid for child in master.children()}

        # A guest replies to Ruth: her email comes within a minute (the worker reconnected,
        # and the first notification goes out at once).
        page = probe.request("GET", article_url)
        assert page[0] == 200
        token, ts = _form_tokens(page[2])
        reply = probe.request(
            "POST", f"/comments/post/{article_id}/",
            {"body": "A reply after the storm. [m:reply]", "name": "Guest",
             "email": "guest@example.org", "parent": str(ruths_comment), "website": "",
             "ts": ts, "csrfmiddlewaretoken": token},
        )  # fmt: skip
        assert reply[0] == 302, reply[2][:500]
        outcomes.acknowledged["reply"] = int(POSTED.match(reply[1].getheader("Location"))[1])

        def emailed() -> bool:
            return any("To: ruth@example.org" in path.read_text() for path in outbox.glob("*.log"))

        wait_until(emailed, timeout=EMAIL_DEADLINE, interval=0.2)
    finally:
        if supervisor is not None:
            supervisor.send_signal(signal.SIGTERM)
            try:
                assert supervisor.wait(timeout=60) == 0
            finally:
                if supervisor.poll() is None:
                    supervisor.kill()
        server_log = log_path.read_text() if supervisor is not None else ""
        rows = []
        if server.started:
            with psycopg.connect(database_url) as conn:
                rows = conn.execute(
                    "SELECT id, body FROM comments_comment WHERE body LIKE '%%[m:%%'"
                ).fetchall()
        server.close()

    summary = f"statuses {dict(outcomes.statuses)}, {len(outcomes.acknowledged)} acknowledged"
    print(summary)
    assert outcomes.problems == [], summary
    assert {s for s in outcomes.statuses if s >= 500} <= {503}, summary
    assert len(outcomes.acknowledged) > READERS, summary
    # Every acknowledged comment is stored exactly once.
    markers = Counter(MARKER.search(body)[1] for _, body in rows)
    assert [m for m, n in markers.items() if n > 1] == []
    stored = {MARKER.search(body)[1]: pk for pk, body in rows}
    assert {m: stored.get(m) for m in outcomes.acknowledged} == outcomes.acknowledged
    # The worker said the database was away, once a try, and never crashed.
    assert "; trying again in" in server_log
    assert "Traceback" not in server_log, server_log[-3000:]
    assert "starting it again" not in server_log  # the supervisor had nothing to restart
    assert not task_worker.is_running() and not master.is_running()
