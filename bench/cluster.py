"""`make bench`, part 6: the scaled-out site (`make cluster`) under a crowd of anonymous readers.

1. Requests per second of an anonymous article page through the edge (Varnish) against a
   static file through nginx, in alternating rounds of the same run (goal: at least 80%).
2. Origin requests per 1,000 edge views while the crowd reads one article and a reader
   comments on it every two seconds (each comment purges the page): goal at most 10.

Skipped with BENCH_CLUSTER=0. The cluster is started if it is not running (and then stopped
again); wrk drives the load on loopback, each round bounded in time.
"""

from __future__ import annotations

import html
import http.client
import os
import re
import shutil
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "deploy" / "cluster" / "cluster.py"
EDGE, BALANCER, APP_PORTS = 8080, 8090, (8101, 8102, 8103)
LOGS = ROOT / ".cluster" / "log"
ROUND_SECONDS = 5
ROUNDS = 3


def row(label: str, value: str, baseline: str, ratio: str, goal: str, ok: bool | None) -> None:
    verdict = "" if ok is None else ("PASS" if ok else "FAIL")
    print(f"{label:<52}{value:>10}{baseline:>10}{ratio:>8}  {goal:<10}{verdict}")


def get(port: int, path: str, address: str = "127.0.0.1") -> tuple[int, str, dict]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30, source_address=(address, 0))
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read().decode(errors="replace"), dict(response.headers)
    finally:
        conn.close()


def wrk(port: int, path: str, seconds: int, connections: int = 16) -> tuple[float, int]:
    """Requests per second and requests made."""
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "-H", "Accept-Encoding: gzip",
         f"http://127.0.0.1:{port}{path}"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    made = int(re.search(r"(\d+) requests in", out).group(1))
    return rps, made


def origin_gets(path: str) -> int:
    needle = f'"GET {path} '
    return sum(
        (LOGS / f"app-{port}.access.log").read_text(errors="replace").count(needle)
        for port in APP_PORTS
        if (LOGS / f"app-{port}.access.log").exists()
    )


def comment_now_and_then(article_id: int, url: str, stop: threading.Event) -> int:
    """A reader comments every two seconds (each from an address of its own, within the
    rate limits); returns how many comments were accepted."""
    stamps = []
    for n in range(8):
        address = f"127.0.2.{n + 1}"
        page = get(EDGE, url, address)[1]
        stamps.append((address, html.unescape(re.search(r'name="ts" value="([^"]+)"', page)[1])))
    accepted = 0
    for address, ts in stamps:
        if stop.wait(2):
            break
        conn = http.client.HTTPConnection(
            "127.0.0.1", EDGE, timeout=30, source_address=(address, 0)
        )
        body = urlencode({"body": f"Bench comment {uuid.uuid4().hex}.", "name": "Bench",
                          "email": f"bench-{uuid.uuid4().hex[:8]}@example.org", "website": "",
                          "ts": ts})  # fmt: skip
        conn.request("POST", f"/comments/post/{article_id}/", body=body, headers={
            "Content-Type": "application/x-www-form-urlencoded", "Sec-Fetch-Site": "same-origin",
            "Origin": f"http://127.0.0.1:{EDGE}"})  # fmt: skip
        status = conn.getresponse().status
        accepted += status == 302
        if status != 302:
            print(f"  (a bench comment was answered {status})")
        conn.close()
    return accepted


ARTICLE = """
from django.utils import timezone
from articles.models import Article, Section
section = Section.objects.create(name="Bench " + NAME, slug="bench-" + NAME)
article = Article.objects.create(
    headline="The edge under a crowd", slug="bench-edge-" + NAME, standfirst="A crowd reads.",
    body="First paragraph.\\n\\nSecond paragraph.", section=section,
    status=Article.Status.PUBLISHED, published_at=timezone.now() - timezone.timedelta(hours=1),
)
print("ARTICLE", article.pk, article.get_absolute_url())
"""


def new_article() -> tuple[int, str]:
    env = dict(
        line.removeprefix("export ").replace("'", "").split("=", 1)
        for line in subprocess.run(
            [sys.executable, str(SCRIPT), "env"], capture_output=True, text=True, check=True
        ).stdout.splitlines()
    )
    script = f"NAME = {uuid.uuid4().hex[:8]!r}\n" + ARTICLE
    out = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", script],
        cwd=ROOT, env={**os.environ, **env}, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    pk, url = out.split("ARTICLE", 1)[1].split()
    return int(pk), url


def run() -> int:
    print("6. The cluster (make cluster): Varnish -> nginx -> 3 app hosts -> primary + replica")
    if not shutil.which("wrk"):
        print("  wrk not installed: skipped")
        return 0
    was_running = (ROOT / ".cluster" / "run" / "varnish.pid").exists()
    started = subprocess.run(
        [sys.executable, str(SCRIPT), "start"],
        capture_output=True, text=True, env={**os.environ, "NEWSROOM_CLUSTER_DEMO": "0"},
    )  # fmt: skip
    if started.returncode != 0:
        print(
            f"  the cluster did not start: skipped ({started.stdout[-300:]}{started.stderr[-300:]})"
        )
        return 0
    try:
        article_id, url = new_article()
        page = get(EDGE, url)[1]
        static = re.search(r'href="(/static/[^"]+\.css)"', page)[1]
        get(EDGE, url)  # now kept at the edge
        edge_rps, static_rps = [], []
        for _ in range(ROUNDS):  # alternating, so both see the same load from the machine
            edge_rps.append(wrk(EDGE, url, ROUND_SECONDS)[0])
            static_rps.append(wrk(BALANCER, static, ROUND_SECONDS)[0])
        page_rate, file_rate = sum(edge_rps) / ROUNDS, sum(static_rps) / ROUNDS
        ratio = page_rate / file_rate
        row("  article page via the edge, requests/s", f"{page_rate:.0f}", f"{file_rate:.0f}",
            f"{100 * ratio:.0f}%", ">= 80%", ratio >= 0.8)  # fmt: skip

        before = origin_gets(url)
        stop = threading.Event()
        accepted = []
        writer = threading.Thread(
            target=lambda: accepted.append(comment_now_and_then(article_id, url, stop))
        )
        writer.start()
        _, views = wrk(EDGE, url, 12)
        stop.set()
        writer.join()
        time.sleep(0.5)  # the last access-log lines
        origin = origin_gets(url) - before
        per_thousand = 1000 * origin / views
        row(f"  origin requests per 1,000 edge views ({accepted[0]} comments)",
            f"{per_thousand:.2f}", f"{views}", "", "<= 10", per_thousand <= 10)  # fmt: skip
    finally:
        if not was_running:
            subprocess.run([sys.executable, str(SCRIPT), "stop"], capture_output=True)
    return 0


if __name__ == "__main__":
    sys.exit(run())
