"""Load with faults: gunicorn with several workers on real PostgreSQL, 30 readers posting,
replying and reading for 30 seconds, while a worker is killed and PostgreSQL restarts.

Nothing acknowledged is lost or doubled, every tree stays valid, the only 5xx is the calm 503
(with ``Retry-After``, no traceback in the log) while the database is away, a post that met
the outage comes back with its text, and the site recovers without restarting gunicorn.

Marked ``soak`` (about a minute per server kind): ``make test PYTEST_ARGS='-m "not soak"'``
skips it; CI runs it.
"""

from __future__ import annotations

import html
import http.client
import json
import os
import random
import re
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import psutil
import psycopg
import pytest

from tests.soak.servers import EmbeddedServer, OwnServer, free_port, wait_until

pytestmark = pytest.mark.soak

ROOT = Path(__file__).resolve().parents[2]
READERS = 30
RUN_SECONDS = 32
THREADS = 4  # the shared threads readers reply into
MAX_ROUNDS = 300  # per reader: the loop ends on whichever comes first
KILL_WORKER_AT = 7
DATABASE_DOWN_AT = 13
OUTAGE_SECONDS = 3
RETRIES = 12  # a reader sends a refused-by-outage post again at most this often
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
TS = re.compile(r'name="ts" value="([^"]+)"')
POSTED = re.compile(r"^/comments/(\d+)/$")
MARKER = re.compile(r"\[m:([a-z0-9-]+)\]")

# A new server's database, made ready in one process (each `manage.py` costs a start of Django).
PREPARE = """
from django.core.management import call_command
call_command("migrate", interactive=False, verbosity=0)
call_command("createcachetable", verbosity=0)
"""
SETUP_ARTICLE = """
from django.utils import timezone
from articles.models import Article, Author, Section
section = Section.objects.create(name="Soak", slug="soak")
article = Article.objects.create(
    headline="Soak test", slug="soak-test", standfirst="Load.", body="Body.",
    section=section, status=Article.Status.PUBLISHED,
    published_at=timezone.now() - timezone.timedelta(hours=1),
)
print(article.pk, article.get_absolute_url())
"""


@dataclass
class Outcomes:
    lock: threading.Lock = field(default_factory=threading.Lock)
    statuses: Counter = field(default_factory=Counter)
    acknowledged: dict[str, int] = field(default_factory=dict)  # marker -> comment id
    comment_ids: list[int] = field(default_factory=list)  # in the few shared threads
    threads: int = 0
    problems: list[str] = field(default_factory=list)
    outage_posts: int = 0  # posts answered 503 whose form came back with the text
    recovered_posts: int = 0  # of those, sent again and acknowledged
    acknowledged_at: list[float] = field(default_factory=list)  # monotonic times

    def note(self, status: int) -> None:
        with self.lock:
            self.statuses[status] += 1

    def problem(self, text: str) -> None:
        with self.lock:
            self.problems.append(text)


class Reader:
    """One browser: keeps its cookies, reads pages, sends the form. Every third one posts as
    the page's script does (asking for JSON), the others as a browser without JavaScript."""

    def __init__(self, port: int, number: int, *, script: bool | None = None) -> None:
        self.port = port
        self.number = number
        self.cookies: dict[str, str] = {}
        self.script = number % 3 == 2 if script is None else script

    def request(self, method: str, path: str, form: dict | None = None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            # What a browser sends with a form from this site (newsroom/csrf.py checks it).
            headers["Origin"] = f"http://127.0.0.1:{self.port}"
            headers["Sec-Fetch-Site"] = "same-origin"
            if self.script:
                headers["Accept"] = "application/json"
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode()
        finally:
            connection.close()
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key] = rest.split(";", 1)[0]
        return response.status, response, text


def _form_tokens(text: str) -> tuple[str, str] | None:
    # The comment form carries no CSRF token (its page may be the shared copy): the browser's
    # Origin vouches for it. A form that still has one gets it sent back.
    token, ts = TOKEN.search(text), TS.search(text)
    if not ts:
        return None
    return (html.unescape(token.group(1)) if token else ""), html.unescape(ts.group(1))


def _reader_loop(reader: Reader, article: tuple[int, str], outcomes: Outcomes, deadline: float):
    rng = random.Random(reader.number)
    article_id, article_url = article
    post_url = f"/comments/post/{article_id}/"
    tokens = None  # the form of the page last read: a reader types into a page already open
    for round_number in range(MAX_ROUNDS):
        if time.monotonic() > deadline:
            return
        try:
            status, response, text = reader.request("GET", article_url)
            outcomes.note(status)
            if status == 503:
                _check_calm(response, text, outcomes)
            elif status == 200 and _form_tokens(text):
                tokens = _form_tokens(text)
            else:
                outcomes.problem(f"article page answered {status}")
            if tokens is None:
                time.sleep(0.3)
                continue
            marker = f"r{reader.number}-{round_number}"
            with outcomes.lock:
                few_threads = outcomes.threads >= THREADS
                known = list(outcomes.comment_ids)
            # Replies into the same few threads, now and then a thread of its own.
            parent = str(rng.choice(known)) if few_threads and rng.random() < 0.9 else ""
            form = {
                "body": f"Reader {reader.number} says something. [m:{marker}]",
                "name": f"Reader {reader.number}",
                "email": f"reader{reader.number}@example.org",
                "parent": parent,
                "website": "",
                "ts": tokens[1],
                "csrfmiddlewaretoken": tokens[0],
            }
            _send(reader, post_url, form, marker, outcomes, deadline)
            if rng.random() < 0.3:
                with outcomes.lock:
                    some = outcomes.comment_ids[-1] if outcomes.comment_ids else None
                for path in ("/", f"/comments/{some}/" if some else "/healthz"):
                    status, response, text = reader.request("GET", path)
                    outcomes.note(status)
                    if status == 503:
                        _check_calm(response, text, outcomes)
        except (OSError, http.client.HTTPException):
            # A killed worker drops its connections: the reader simply goes on.
            outcomes.note(0)


def _send(reader, url, form, marker, outcomes, deadline) -> None:
    """Send the comment form; after a 503, send the form the page gave back (as a reader
    would), which must hold the text they typed."""
    met_outage = False
    for _attempt in range(RETRIES):
        try:
            status, response, text = reader.request("POST", url, form)
        except (OSError, http.client.HTTPException):
            outcomes.note(0)  # the worker died: its outcome is unknown, so it is not retried
            return
        outcomes.note(status)
        if status in (201, 302):
            if status == 201:
                posted = json.loads(text)["id"]
            else:
                match = POSTED.match(response.getheader("Location", ""))
                if not match:
                    outcomes.problem(f"a post redirected to {response.getheader('Location')}")
                    return
                posted = int(match.group(1))
            with outcomes.lock:
                outcomes.acknowledged[marker] = posted
                outcomes.acknowledged_at.append(time.monotonic())
                if form["parent"] or outcomes.threads < THREADS:
                    outcomes.threads += not form["parent"]
                    outcomes.comment_ids.append(posted)
                outcomes.recovered_posts += met_outage
            return
        if status != 503:
            # 400: e.g. the reply's parent is gone. 409 (a repeat) only when a post that met
            # the outage had in fact been stored: the reader is told, the text is there once.
            if status != 400 and not (status == 409 and met_outage):
                outcomes.problem(f"a post answered {status}")
            return
        _check_calm(response, text, outcomes)
        if reader.script:
            # The script leaves the text in the page's form and sends it again.
            if json.loads(text).get("ok") is not False:
                outcomes.problem("a script's post met the outage without a JSON refusal")
                return
        elif f"[m:{marker}]</textarea>" not in text:
            outcomes.problem("a post that met the outage came back without its text")
            return
        else:
            tokens = _form_tokens(text)
            form = {**form, "csrfmiddlewaretoken": tokens[0], "ts": tokens[1]}
        with outcomes.lock:
            outcomes.outage_posts += not met_outage
        met_outage = True
        if time.monotonic() > deadline + 10:
            return
        time.sleep(float(response.getheader("Retry-After", "1")) / 5)


def _check_calm(response, text: str, outcomes: Outcomes) -> None:
    calm = "briefly unavailable" in text  # the page, or the script's JSON message
    if response.getheader("Retry-After") is None or not calm:
        outcomes.problem("a 503 without Retry-After or without the calm page")


def _manage(database_url: str, *args: str, script: str | None = None) -> str:
    env = {**os.environ, "DATABASE_URL": database_url, "DJANGO_DEBUG": "1"}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        input=script,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def _gunicorn_workers(master: subprocess.Popen) -> set[int]:
    return {child.pid for child in psutil.Process(master.pid).children()}


@pytest.fixture(params=[EmbeddedServer, OwnServer], ids=["embedded", "server"])
def postgres(request):
    server = request.param()
    try:
        yield server, server.start()
    finally:
        server.close()


def test_load_with_a_killed_worker_and_a_database_restart_loses_nothing(postgres, tmp_path):
    server, database_url = postgres
    prepared = _manage(database_url, "shell", "-v0", script=PREPARE + SETUP_ARTICLE)
    article_id, article_url = prepared.split()[-2:]
    port = free_port()
    log_path = tmp_path / "gunicorn.log"
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_DEBUG": "1",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "3",
        "COMMENTS_RATE_LIMITS": "",
        "COMMENTS_FORM_MIN_SECONDS": "0",
        "DJANGO_LOG_LEVEL": "WARNING",
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    with open(log_path, "w") as log:
        master = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--config", "deploy/gunicorn.conf.py",
             "--access-logfile", "/dev/null", "newsroom.wsgi"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        probe = Reader(port, -1, script=False)

        def healthy() -> bool:
            try:
                return probe.request("GET", "/healthz")[0] == 200
            except OSError:
                return False

        wait_until(healthy, timeout=60, interval=0.2)
        wait_until(lambda: len(_gunicorn_workers(master)) == 3, timeout=30)
        outcomes = Outcomes()
        start = time.monotonic()
        deadline = start + RUN_SECONDS
        readers = [
            threading.Thread(
                target=_reader_loop,
                args=(Reader(port, n), (int(article_id), article_url), outcomes, deadline),
            )
            for n in range(READERS)
        ]
        for thread in readers:
            thread.start()

        # The faults, while the readers go on.
        time.sleep(KILL_WORKER_AT)
        workers_before = _gunicorn_workers(master)
        victim = sorted(workers_before)[0]
        os.kill(victim, signal.SIGKILL)
        time.sleep(DATABASE_DOWN_AT - KILL_WORKER_AT)
        server.stop_server()
        time.sleep(OUTAGE_SECONDS)
        server.start_server()
        back_at = time.monotonic()
        # Generous: the probe queues behind 30 readers on three sync workers.
        recovery = wait_until(healthy, timeout=30, interval=0.1)

        for thread in readers:
            thread.join(timeout=RUN_SECONDS + 60)
        assert not any(thread.is_alive() for thread in readers)
        elapsed = time.monotonic() - start

        # gunicorn was never restarted: the same master, a new worker in the dead one's place.
        assert master.poll() is None
        workers_after = _gunicorn_workers(master)
        assert victim not in workers_after and len(workers_after) == 3
        # And it accepts comments again.
        page = probe.request("GET", article_url)
        assert page[0] == 200
        token, ts = _form_tokens(page[2])
        final = probe.request(
            "POST", f"/comments/post/{article_id}/",
            {"body": "After the storm. [m:final]", "name": "Last", "email": "last@example.org",
             "website": "", "ts": ts, "csrfmiddlewaretoken": token},
        )  # fmt: skip
        assert final[0] == 302, final[2][:500]
        outcomes.acknowledged["final"] = int(POSTED.match(final[1].getheader("Location"))[1])
    finally:
        master.send_signal(signal.SIGTERM)
        try:
            master.wait(timeout=30)
        except subprocess.TimeoutExpired:
            master.kill()
            master.wait()

    after = [t - back_at for t in outcomes.acknowledged_at if t >= back_at]
    first_post_back = min(after) if after else None
    summary = (
        f"{server.kind}: {elapsed:.0f} s, statuses {dict(outcomes.statuses)}, "
        f"{len(outcomes.acknowledged)} acknowledged, {outcomes.outage_posts} posts met the "
        f"outage ({outcomes.recovered_posts} sent again and kept), healthy {recovery:.1f} s "
        f"and a comment accepted {first_post_back or -1:.1f} s after PostgreSQL was back"
    )
    print(summary)
    assert outcomes.problems == [], summary
    assert elapsed >= 30, summary
    # Only the calm 503 as a 5xx, and the outage was really met.
    assert {s for s in outcomes.statuses if s >= 500} == {503}, summary
    assert outcomes.outage_posts > 0, summary
    assert len(outcomes.acknowledged) > READERS, summary

    # Every acknowledged comment is stored exactly once; nothing is stored twice.
    with psycopg.connect(database_url) as conn:
        rows = conn.execute(
            "SELECT id, body FROM comments_comment WHERE article_id = %s", [int(article_id)]
        ).fetchall()
    markers = Counter(MARKER.search(body)[1] for _, body in rows)
    stored = {MARKER.search(body)[1]: pk for pk, body in rows}
    assert [m for m, n in markers.items() if n > 1] == []
    assert {m: stored.get(m) for m in outcomes.acknowledged} == outcomes.acknowledged
    # Every tree is valid, by the operators' own command.
    assert "All comment trees are valid." in _manage(database_url, "check_comment_trees")

    # The log has the outage as one warning line per request, and no traceback.
    log_text = log_path.read_text()
    at = log_text.find("Traceback")
    assert at < 0, log_text[max(at - 500, 0) : at + 2500]
    assert "Internal Server Error" not in log_text
    assert "Database unavailable, answered 503" in log_text
    assert recovery < 30 and first_post_back is not None and first_post_back < 30, summary
