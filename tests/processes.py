"""Processes a test starts against its own test database: gunicorn with several workers,
task workers. Rules that must hold across processes are proven this way, not only through
the one-process test client."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def url_of_test_database() -> str:
    """The test database, as a ``DATABASE_URL`` for a process the test starts (its rows must
    be committed for that process to see them: use a transactional test)."""
    db = connection.settings_dict
    quote = urllib.parse.quote
    auth = quote(db["USER"] or "", safe="")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"], safe="")
    host = quote(db.get("HOST") or "localhost", safe="")
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{auth}@{host}{port}/{quote(db['NAME'], safe='')}"


def process_environment(**overrides: str) -> dict[str, str]:
    """This environment on the test database, with development settings (production ones
    would need collectstatic's manifest, which a fresh clone's test run has not made) and the
    tests' fast password hasher (tests/server_settings.py)."""
    env = {
        **os.environ,
        "DATABASE_URL": url_of_test_database(),
        "DJANGO_DEBUG": "1",
        "DJANGO_SETTINGS_MODULE": "tests.server_settings",
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    env.update(overrides)
    return env


@contextlib.contextmanager
def running_gunicorn(*, workers: int = 3, **env: str) -> Iterator[int]:
    """gunicorn with ``workers`` workers on the test database (deploy/gunicorn.conf.py), with
    ``env`` on top; yields its port once it answers ``/healthz``."""
    port = free_port()
    # Its log goes to a file, not a pipe: a chatty server never blocks on a full one.
    with tempfile.TemporaryFile() as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py", "newsroom.wsgi"],
            cwd=ROOT,
            env=process_environment(
                WEB_CONCURRENCY=str(workers), GUNICORN_BIND=f"127.0.0.1:{port}", **env
            ),
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
        try:
            _wait_until_it_answers(server, port, log)
            yield port
        finally:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def _wait_until_it_answers(server: subprocess.Popen, port: int, log) -> None:
    for _ in range(300):  # up to a minute for the workers to boot on a busy machine
        if server.poll() is not None:
            log.seek(0)
            pytest.fail(f"gunicorn exited: {log.read().decode()[-2000:]}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    pytest.fail("gunicorn did not answer /healthz within a minute")
