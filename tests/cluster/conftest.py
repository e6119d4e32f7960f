"""The scaled-out site, started once for these tests by `deploy/cluster/cluster.py` (what
`make cluster` runs): Varnish, nginx, three gunicorn app hosts, a PostgreSQL primary and a
streaming replica, Redis and two task workers, on loopback.

Without the Debian packages and no way to install them (not root), the tests are skipped
saying why; in CI (``CI`` set) that is a failure.
"""

from __future__ import annotations

import html
import http.client
import importlib.util
import json
import os
import re
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import psycopg
import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "deploy" / "cluster" / "cluster.py"
TS = re.compile(r'name="ts" value="([^"]+)"')
POSTED = re.compile(r"^/comments/(\d+)/$")


def _load_script():
    spec = importlib.util.spec_from_file_location("newsroom_cluster", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


cluster_script = _load_script()
EDGE = cluster_script.EDGE_PORT
APP_PORTS = cluster_script.APP_PORTS
PRIMARY_URL = f"postgresql://postgres@127.0.0.1:{cluster_script.PRIMARY_PORT}/newsroom"
REPLICA_URL = f"postgresql://postgres@127.0.0.1:{cluster_script.REPLICA_PORT}/newsroom"

SETUP_ARTICLES = """
import json
from django.utils import timezone
from articles.models import Article, Section
made = []
for name in NAMES:
    # A section each: no article is "more on this topic" of another (which would share keys).
    section = Section.objects.create(slug=f"cluster-{name}", name=f"Cluster {name}")
    article = Article.objects.create(
        headline=f"Cluster proof {name}", slug=f"cluster-{name}", standfirst="Proof.",
        body="First paragraph.\\n\\nSecond paragraph.", section=section,
        status=Article.Status.PUBLISHED,
        published_at=timezone.now() - timezone.timedelta(hours=1),
    )
    made.append([article.pk, article.get_absolute_url()])
print("ARTICLES" + json.dumps(made))
"""


def run_script(*args: str) -> str:
    # No demo content: each test makes the articles it needs.
    env = {**os.environ, "NEWSROOM_CLUSTER_DEMO": "0"}
    result = subprocess.run(
        [sys.executable, str(SCRIPT), *args], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def manage_shell(script: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", script],
        cwd=ROOT, env=cluster_script.app_env(), capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


# Articles are made this many at a time: each `manage.py shell` costs a start of Django (a
# second and a half here), and the proofs each want one or two articles no other has read.
ARTICLES_PER_BATCH = 12


@dataclass
class Cluster:
    output: str  # what `cluster.py start` printed
    unread: list[tuple[int, str]] = field(default_factory=list)  # made, not handed out yet

    def new_articles(self, count: int) -> list[tuple[int, str]]:
        """``count`` published articles that no test has been handed (nor read) before."""
        if len(self.unread) < count:
            names = [uuid.uuid4().hex[:10] for _ in range(max(count, ARTICLES_PER_BATCH))]
            out = manage_shell(f"NAMES = {names!r}\n" + SETUP_ARTICLES)
            made = json.loads(out.split("ARTICLES", 1)[1].strip())
            self.unread += [(pk, url) for pk, url in made]
        handed, self.unread = self.unread[:count], self.unread[count:]
        return handed

    def restart_missing(self) -> None:
        run_script("start")

    def app_requests(self, path: str, method: str = "GET") -> int:
        """Requests for ``path`` the app hosts have logged (gunicorn's access logs)."""
        needle = f'"{method} {path} '
        total = 0
        for port in APP_PORTS:
            log = cluster_script.CLUSTER / "log" / f"app-{port}.access.log"
            if log.exists():
                total += log.read_text(errors="replace").count(needle)
        return total

    def pg(self, which: str) -> Path:
        return cluster_script.CLUSTER / f"pg-{which}"


@pytest.fixture(scope="session")
def cluster():
    missing = cluster_script.missing_packages()
    if missing:
        try:
            cluster_script.install_packages()  # as root, with apt-get; else it says why
        except (SystemExit, subprocess.CalledProcessError) as error:
            reason = f"the cluster needs Debian's {' '.join(missing)}: {error}"
            if os.environ.get("CI"):
                pytest.fail(reason)
            pytest.skip(reason)
    was_running = cluster_script.running_pid("varnish") is not None
    output = run_script("start")
    # Rate-limit windows and page versions of earlier runs: this Redis is the cluster's own.
    import redis

    redis.Redis(port=cluster_script.REDIS_PORT).flushall()
    try:
        yield Cluster(output)
    finally:
        if not was_running:
            run_script("stop")


class Browser:
    """One reader's browser: its own loopback address (the edge sees it as the client), its
    cookies, the pages it read."""

    def __init__(self, address: str = "127.0.0.1", port: int = EDGE) -> None:
        self.address = address
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict | None = None, headers=None):
        connection = http.client.HTTPConnection(
            "127.0.0.1", self.port, timeout=30, source_address=(self.address, 0)
        )
        sent = {"Host": f"127.0.0.1:{self.port}", **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            sent["Content-Type"] = "application/x-www-form-urlencoded"
            sent["Origin"] = f"http://127.0.0.1:{self.port}"
            sent["Sec-Fetch-Site"] = "same-origin"
        try:
            connection.request(method, path, body=body, headers=sent)
            response = connection.getresponse()
            text = response.read().decode(errors="replace")
        finally:
            connection.close()
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key] = rest.split(";", 1)[0]
        return response, text

    def get(self, path: str, **headers):
        return self.request("GET", path, headers=headers)

    def form_timestamp(self, path: str) -> str:
        response, text = self.get(path)
        assert response.status == 200, text[:300]
        return html.unescape(TS.search(text).group(1))

    def post_comment(self, article_id: int, ts: str, body: str, *, email: str, parent=""):
        return self.request(
            "POST",
            f"/comments/post/{article_id}/",
            {"body": body, "name": "Cluster Reader", "email": email, "parent": parent,
             "website": "", "ts": ts},
        )  # fmt: skip


def wait_for_form(ts_taken_at: float) -> None:
    """The comment form refuses a post sent less than COMMENTS_FORM_MIN_SECONDS (2) after the
    page was shown; a reader types for longer than that."""
    remaining = 2.1 - (time.monotonic() - ts_taken_at)
    if remaining > 0:
        time.sleep(remaining)


def poll(check, *, within: float, every: float = 0.05):
    """``check()`` until it returns something true, for at most ``within`` seconds; returns
    the last result (falsy when it never came)."""
    deadline = time.monotonic() + within
    while True:
        result = check()
        if result or time.monotonic() > deadline:
            return result
        time.sleep(every)


def posted_id(response) -> int | None:
    match = POSTED.match(response.getheader("Location", "") or "")
    return int(match.group(1)) if match else None


def comment_status(comment_id: int | None) -> str | None:
    """A comment's moderation status, as the primary has it."""
    with primary() as db:
        row = db.execute(
            "SELECT status FROM comments_comment WHERE id = %s", [comment_id]
        ).fetchone()
    return row[0] if row else None


def primary():
    return psycopg.connect(PRIMARY_URL, autocommit=True)


def replica():
    return psycopg.connect(REPLICA_URL, autocommit=True)
