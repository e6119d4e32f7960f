"""``make bench``: the article page and a reply at a crowd's pace, as ratios to baselines
measured in the same run (absolute times depend on a machine, and on what else it runs).

In a throw-away database on the project's PostgreSQL it seeds bushy discussions of 10, 100,
10,000 and 100,000 comments (bench/seed.py), serves them with gunicorn on loopback as
`make run` does (DEBUG off), and measures:

1. the page's server time rendered for one reader (a reader with a cookie never gets the
   shared copy) at each size, against the 10-comment page, with its size on the wire and
   the comments it shows;
2. requests per second under wrk (16 connections) for the 100-comment page (anonymous, from
   the shared cache) against /robots.txt;
3. that HTML is gzipped and a conditional GET gets a 304;
4. Lighthouse (mobile) performance and accessibility of the 10,000-comment page, when
   bench/lighthouse is installed (the Makefile does it) and Chromium is at CHROME_PATH;
5. a reply into a 10,000-comment thread against one into a 10-comment thread;
6. the scaled-out site of `make cluster` (bench/cluster.py; BENCH_CLUSTER=0 skips it);
7. the language scorer's time per comment, memory and targets (bench/language.py);
8. readers with a cookie of their own (shared copy + their layer) and live-update checks
   (bench/reader.py).
"""

from __future__ import annotations

import http.client
import json
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import quote

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import override_settings  # noqa: E402

from articles.models import Article, Author, Section  # noqa: E402
from bench import cluster as cluster_bench  # noqa: E402
from bench import imports, language, reader, seed  # noqa: E402
from comments import services  # noqa: E402
from comments.domain import Commenter  # noqa: E402
from comments.integrity import tree_problems  # noqa: E402
from comments.models import Comment  # noqa: E402

BASE_DIR = Path(__file__).resolve().parent.parent
LIGHTHOUSE = BASE_DIR / "bench" / "lighthouse" / "node_modules" / ".bin" / "lighthouse"
SIZES = (10, 100, 10_000, 100_000)
SECRET_KEY = "bench-only-" + "x" * 40
STORY = "\n\n".join(
    [
        "The council voted on Tuesday night to build a new bridge across the river, ending a "
        "debate that has run for more than a decade and divided the town's two halves.",
        "## What was decided",
        "The bridge will carry buses, bicycles and people on foot, but not private cars. Work "
        "is due to begin next spring and to take three years; the ferry keeps running until "
        "the bridge opens.",
        "> It is the biggest thing this council has done in a generation, said its leader.",
        "Residents on the north bank, who have waited longest, welcomed the vote. Traders near "
        "the harbour worry about the years of building work and about parking.",
    ]
    * 3
)


# --- Measuring over HTTP ---------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Site:
    def __init__(self, port: int) -> None:
        self.port = port

    def get(self, path: str, headers: dict | None = None) -> tuple[int, dict, bytes, float]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        start = time.perf_counter()
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        body = response.read()
        elapsed = time.perf_counter() - start
        conn.close()
        return response.status, dict(response.getheaders()), body, elapsed

    def median_ms(self, path: str, headers: dict, repeat: int = 15) -> float:
        self.get(path, headers)  # warm up
        return 1000 * statistics.median(self.get(path, headers)[3] for _ in range(repeat))


def requests_per_second(port: int, path: str, seconds: int = 5, connections: int = 16) -> float:
    url = f"http://127.0.0.1:{port}{path}"
    wrk = shutil.which("wrk")
    if wrk:
        out = subprocess.run(
            [wrk, "-t2", f"-c{connections}", f"-d{seconds}s", "-H", "Accept-Encoding: gzip", url],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    # No wrk: the same load from Python threads, each on one kept-alive connection.
    done = [0] * connections
    stop = time.monotonic() + seconds

    def worker(index: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while time.monotonic() < stop:
            conn.request("GET", path, headers={"Accept-Encoding": "gzip"})
            conn.getresponse().read()
            done[index] += 1

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(done) / seconds


def crowd(port: int, path: str, rounds: int = 4) -> tuple[float, float, float]:
    """Requests/s of ``path`` and of /robots.txt, alternating in short rounds so both see the
    same load from the rest of the machine; the ratio is the median of the rounds'."""
    pairs = []
    for _ in range(rounds):
        baseline = requests_per_second(port, "/robots.txt")
        pairs.append((requests_per_second(port, path), baseline))
    ratio = statistics.median(page / robots for page, robots in pairs)
    return (
        statistics.median(p for p, _ in pairs),
        statistics.median(r for _, r in pairs),
        ratio,
    )


def start_gunicorn(port: int, **extra: str) -> subprocess.Popen:
    db = connection.settings_dict
    host = quote(db["HOST"] or "", safe="")
    port_part = f":{db['PORT']}" if db["PORT"] else ""
    password = f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else ""
    env = dict(
        os.environ,
        DATABASE_URL=f"postgres://{db['USER']}{password}@{host}{port_part}/{db['NAME']}",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=SECRET_KEY,
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DJANGO_SECURE_SSL_REDIRECT="0",
        GUNICORN_BIND=f"127.0.0.1:{port}",
        DJANGO_LOG_LEVEL="WARNING",
        **extra,
    )
    process = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "--config",
            "deploy/gunicorn.conf.py",
            "--access-logfile",
            "/dev/null",
            "newsroom.wsgi",
        ],
        cwd=BASE_DIR,
        env=env,
        stderr=subprocess.DEVNULL,
    )
    site = Site(port)
    for _ in range(300):
        try:
            if site.get("/healthz")[0] == 200:
                return process
        except OSError:
            time.sleep(0.1)
    process.terminate()
    raise RuntimeError("gunicorn did not start")


def lighthouse(
    url: str, runs: int = 3, headers: dict[str, str] | None = None
) -> tuple[float, float] | str:
    """Lighthouse's mobile performance and accessibility scores, each the median of ``runs``
    runs: one run's performance score swings by several points with the machine's load.
    ``headers`` go with every request of the page (a signed-in reader's cookie)."""
    chrome = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
    if not LIGHTHOUSE.exists():
        return "not run: bench/lighthouse is not installed (needs npm)"
    if not Path(chrome).exists():
        return f"not run: no Chromium at {chrome}"
    scores: list[tuple[float, float]] = []
    failure = ""
    for _attempt in range(runs + 2):  # now and then it loses its trace (NO_NAVSTART): retry
        result = _lighthouse_once(url, chrome, headers)
        if result.returncode != 0:
            failure = (result.stderr.strip().splitlines() or ["?"])[-1]
            continue
        categories = json.loads(result.stdout)["categories"]
        scores.append(
            (100 * categories["performance"]["score"], 100 * categories["accessibility"]["score"])
        )
        if len(scores) == runs:
            break
    if not scores:
        return f"failed: {failure}"
    return (
        statistics.median(score[0] for score in scores),
        statistics.median(score[1] for score in scores),
    )


def _lighthouse_once(
    url: str, chrome: str, headers: dict[str, str] | None = None
) -> subprocess.CompletedProcess:
    extra = [f"--extra-headers={json.dumps(headers)}"] if headers else []
    return subprocess.run(
        [
            str(LIGHTHOUSE),
            url,
            "--only-categories=performance,accessibility",
            "--output=json",
            "--quiet",
            "--chrome-flags=--headless=new --no-sandbox --disable-gpu",
            *extra,
        ],
        capture_output=True,
        text=True,
        env=dict(os.environ, CHROME_PATH=chrome),
        timeout=300,
    )


# --- The run ---------------------------------------------------------------------------------


def make_article(slug: str, section: Section, author: Author) -> Article:
    article = Article.objects.create(
        headline=f"Council approves the new bridge ({slug})", slug=slug,
        standfirst="A decade of debate ends with a vote.", body=STORY, section=section,
        status=Article.Status.PUBLISHED,
    )  # fmt: skip
    article.authors.add(author)
    return article


def replies_ms(threads: dict, repeat: int = 60) -> dict[int, tuple[float, float]]:
    """Median and mean time of a reply to one of each thread's most recent comments, the
    threads taking turns so that both see the same load from the rest of the machine. The
    mean counts the rare reply that finds no room and spreads its neighbours' labels out."""
    poster = Commenter(name="Bench", email="bench@example.org", ip="127.0.0.1")
    rng = random.Random(7)
    samples: dict[int, list[float]] = {size: [] for size in threads}
    for n in range(repeat + 1):
        for size, (article, ids) in threads.items():
            parent = Comment.objects.get(pk=rng.choice(ids[-seed.RECENT :]))
            start = time.perf_counter()
            reply = services.post_comment(
                article=article, parent=parent, author=poster, body=f"R{n}"
            )
            samples[size].append(time.perf_counter() - start)
            ids.append(reply.pk)  # the thread grows as it would: later replies answer it
    return {
        size: (1000 * statistics.median(times[1:]), 1000 * statistics.mean(times[1:]))
        for size, times in samples.items()
    }


def crowd_with(label: str, path: str, **env: str) -> None:
    """The crowd again, on a gunicorn started with ``env``."""
    port = free_port()
    server = start_gunicorn(port, **env)
    try:
        Site(port).get(path, {"Accept-Encoding": "gzip"})
        page_rps, robots, ratio = crowd(port, path)
        row(f"  100-comment page, requests/s ({label})", f"{page_rps:.0f}", f"{robots:.0f}",
            f"{100 * ratio:.0f}%", ">= 50%", ratio >= 0.5)  # fmt: skip
    finally:
        server.terminate()
        server.wait(timeout=30)


def redis_crowd(path: str) -> None:
    """The crowd with the cache in Redis (REDIS_URL), when one answers at BENCH_REDIS_URL."""
    url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")
    try:
        import redis

        redis.Redis.from_url(url, socket_timeout=1).ping()
    except Exception:
        print(f"  (no Redis at {url}: the Redis comparison is skipped)")
        return
    prefix = f"bench-{os.getpid()}"
    try:
        crowd_with("Redis", path, REDIS_URL=url, CACHE_KEY_PREFIX=prefix)
    finally:
        store = redis.Redis.from_url(url)
        for key in store.scan_iter(f"{prefix}:*"):
            store.delete(key)


def row(label: str, value: str, baseline: str, ratio: str, goal: str, ok: bool | None) -> None:
    verdict = "" if ok is None else ("PASS" if ok else "FAIL")
    print(f"{label:<52}{value:>10}{baseline:>10}{ratio:>8}  {goal:<10}{verdict}")


def run() -> int:
    rng = random.Random(16)
    section = Section.objects.create(name="Bench", slug="bench")
    author = Author.objects.create(name="Bench Writer", slug="bench-writer")
    print("Seeding bushy discussions (a tenth start threads, the rest reply to recent ones)...")
    articles = {}
    for size in SIZES:
        began = time.perf_counter()
        articles[size] = make_article(f"bench-{size}", section, author)
        seed.write(articles[size], seed.discussion(size, rng=rng), rng=rng)
        print(f"  {size:>7,} comments in {time.perf_counter() - began:5.1f} s")
    threads = {}
    for size in (10, 10_000):
        article = make_article(f"bench-thread-{size}", section, author)
        threads[size] = (article, seed.write(article, seed.one_thread(size, rng=rng), rng=rng))
    problems = tree_problems(articles[10_000].pk) + tree_problems(threads[10_000][0].pk)
    if problems:
        print("Seeded trees are broken:", problems[:5])
        return 1
    with connection.cursor() as cursor:  # what autovacuum does on a live site after a while
        cursor.execute("VACUUM ANALYZE comments_comment")

    port = free_port()
    server = start_gunicorn(port)
    try:
        site = Site(port)
        private = {"Cookie": "newsroom_guest=bench", "Accept-Encoding": "gzip"}
        shared = {"Accept-Encoding": "gzip"}
        pages = {}
        for size, article in articles.items():
            url = article.get_absolute_url()
            status, headers, body, _ = site.get(url, shared)
            plain = site.get(url, {"Cookie": "newsroom_guest=bench"})[2]
            pages[size] = {
                "wire": len(body),
                "encoding": headers.get("Content-Encoding", "none"),
                "shown": plain.count(b"data-comment-id="),
                "etag": headers.get("ETag"),
            }
        # The sizes take turns, request by request, so all see the same load from the rest
        # of the machine; each figure is a median.
        samples = {(size, kind): [] for size in SIZES for kind in ("render", "shared")}
        for _ in range(15):
            for size, article in articles.items():
                url = article.get_absolute_url()
                samples[size, "render"].append(site.get(url, private)[3])
                samples[size, "shared"].append(site.get(url, shared)[3])
        for (size, kind), times in samples.items():
            pages[size][kind] = 1000 * statistics.median(times)
        base = pages[10]
        print(f"\nworkers: gunicorn {os.environ.get('WEB_CONCURRENCY', 'default')}; cores: "
              f"{os.cpu_count()}; comments per page: {settings.COMMENTS_PER_PAGE} threads, "
              f"{settings.COMMENTS_REPLIES_SHOWN} replies each, {settings.COMMENTS_MAX_DEPTH} "
              "levels\n")  # fmt: skip
        row("measure", "value", "baseline", "ratio", "goal", None)
        print("1. Bounded pages (rendered for one reader; baseline: 10 comments)")
        for size in SIZES:
            p = pages[size]
            ratio = p["render"] / base["render"]
            row(f"  page, {size:,} comments: server time", f"{p['render']:.1f} ms",
                f"{base['render']:.1f} ms", f"{ratio:.2f}x", "<= 3x",
                ratio <= 3 if size >= 10_000 else None)  # fmt: skip
        for size in SIZES:
            p = pages[size]
            row(f"  page, {size:,} comments: HTML on the wire", f"{p['wire'] / 1024:.1f} KB",
                "", "", "<= 100 KB", p["wire"] <= 100 * 1024)  # fmt: skip
            row(f"  page, {size:,} comments: comments shown", str(p["shown"]), "", "", "", None)
        print("2. A crowd of anonymous readers (wrk, 16 connections; /robots.txt alternating)")
        url100 = articles[100].get_absolute_url()
        page_rps, robots, ratio = crowd(port, url100)
        row("  100-comment page, requests/s (PostgreSQL)", f"{page_rps:.0f}", f"{robots:.0f}",
            f"{100 * ratio:.0f}%", ">= 50%", ratio >= 0.5)  # fmt: skip
        crowd_with("PG, no health check", url100, DATABASE_CONN_HEALTH_CHECKS="0")
        redis_crowd(url100)
        for size in (10, 10_000, 100_000):
            p = pages[size]
            row(f"  page, {size:,} comments: shared copy", f"{p['shared']:.1f} ms",
                f"{p['render']:.1f} ms", f"{p['shared'] / p['render']:.2f}x", "", None)  # fmt: skip
        print("3. Compression and revalidation")
        big = articles[10_000].get_absolute_url()
        status = site.get(big, {**shared, "If-None-Match": pages[10_000]["etag"] or ""})[0]
        row("  HTML encoding", pages[10_000]["encoding"], "", "", "gzip",
            pages[10_000]["encoding"] == "gzip")  # fmt: skip
        row("  conditional GET (If-None-Match)", str(status), "", "", "304", status == 304)
        print("4. Phones (Lighthouse, mobile, 10,000-comment page; median of 3 runs)")
        site.get(big, shared)  # the shared copy, as the crowd gets it
        scores = lighthouse(f"http://127.0.0.1:{port}{big}")
        if isinstance(scores, str):
            print(f"  {scores}")
        else:
            row("  performance", f"{scores[0]:.0f}", "", "", ">= 95", scores[0] >= 95)
            row("  accessibility", f"{scores[1]:.0f}", "", "", ">= 95", scores[1] >= 95)
        reader.run(
            site,
            port,
            articles,
            row,
            secret_key=SECRET_KEY,
            serve=start_gunicorn,
            lighthouse=lighthouse,
        )
    finally:
        server.terminate()
        server.wait(timeout=30)

    print("5. Writes stay cheap (reply to one of the 30 newest comments of one thread)")
    with override_settings(COMMENTS_RATE_LIMITS="", COMMENTS_DUPLICATE_WINDOW=0):
        costs = replies_ms(threads)
    (small, small_mean), (large, large_mean) = costs[10], costs[10_000]
    row("  reply into a 10,000-comment thread (median)", f"{large:.1f} ms", f"{small:.1f} ms",
        f"{large / small:.2f}x", "<= 3x", large / small <= 3)  # fmt: skip
    row("  reply into a 10,000-comment thread (mean)", f"{large_mean:.1f} ms",
        f"{small_mean:.1f} ms", f"{large_mean / small_mean:.2f}x", "<= 3x",
        large_mean / small_mean <= 3)  # fmt: skip
    problems = tree_problems(threads[10_000][0].pk)
    row("  the thread afterwards", "valid" if not problems else problems[0], "", "", "valid",
        not problems)  # fmt: skip
    language.run(row)
    imports.run(row)
    print("\nAbsolute numbers depend on the machine and its load; compare ratios within one run.")
    return 0


def main() -> int:
    # A throw-away database beside the developer's, removed afterwards.
    connection.settings_dict.setdefault("TEST", {})["NAME"] = "newsroom_bench"
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        code = run()
    finally:
        connection.close()
        connection.creation.destroy_test_db(old_name, verbosity=0)
    if os.environ.get("BENCH_CLUSTER") != "0":  # bench/cluster.py
        code = cluster_bench.run() or code
    return code


if __name__ == "__main__":
    sys.exit(main())
