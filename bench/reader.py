"""``make bench``, part 6: readers with a cookie of their own (signed in, or a guest who has
commented) get the shared copy plus one small private request (comments/reader.py), and open
pages check for new comments with a 304-able request. Ratios against /robots.txt measured in
the same rounds, and against the 10-comment article for the big discussions.

Hooked into bench/__main__.py by one call, with the site already serving the seeded articles.
"""

from __future__ import annotations

import gzip as gzip_module
import http.client
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from importlib import import_module

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.models import User
from django.http import HttpResponse
from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH
from django.test.utils import override_settings
from django.urls import reverse
from django.utils.crypto import get_random_string

from articles.models import Article
from comments import identity, services
from comments.domain import Commenter

Row = Callable[..., None]

_ALTERNATE = """
local paths = {%s}
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i %% #paths) + 1])
end
"""


def _rps(
    port: int, paths: list[str], headers: dict, seconds: int = 5, connections: int = 16
) -> float:
    """Requests per second of ``paths`` taken in turn, each with ``headers``."""
    wrk = shutil.which("wrk")
    if wrk:
        with tempfile.NamedTemporaryFile("w", suffix=".lua") as script:
            script.write(_ALTERNATE % ", ".join(json.dumps(p) for p in paths))
            script.flush()
            args = [wrk, "-t2", f"-c{connections}", f"-d{seconds}s", "-s", script.name]
            for name, value in headers.items():
                args += ["-H", f"{name}: {value}"]
            out = subprocess.run(
                [*args, f"http://127.0.0.1:{port}/"], capture_output=True, text=True, check=True
            ).stdout
        return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    done = [0] * connections
    stop = time.monotonic() + seconds

    def worker(index: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while time.monotonic() < stop:
            conn.request("GET", paths[done[index] % len(paths)], headers=headers)
            conn.getresponse().read()
            done[index] += 1

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(done) / seconds


def _against_robots(port: int, paths: list[str], headers: dict, rounds: int = 4) -> tuple:
    """Views/s (``paths`` make one view), /robots.txt requests/s, and the median ratio of
    rounds taken in turn."""
    pairs = []
    for _ in range(rounds):
        robots = _rps(port, ["/robots.txt"], {"Accept-Encoding": "gzip"})
        pairs.append((_rps(port, paths, headers) / len(paths), robots))
    ratio = statistics.median(view / robots for view, robots in pairs)
    return statistics.median(v for v, _ in pairs), statistics.median(r for _, r in pairs), ratio


def _reader_cookies(article: Article, secret_key: str) -> dict[str, str]:
    """A signed-in reader's and a guest's cookies, each with a comment and a vote on
    ``article``, signed with the served site's secret key."""
    user = User.objects.create_user("bench-reader", "reader@example.org", "bench-password")
    services.post_comment(
        article=article, parent=None, author=Commenter.from_user(user), body="Mine."
    )
    guest = Commenter(name="Bench Guest", email="guest@example.org", browser_key="bench-key")
    services.post_comment(article=article, parent=None, author=guest, body="A guest's.")
    target = article.comments.filter(user__isnull=True).exclude(guest_name="Bench Guest").first()
    services.vote(comment=target, voter=Commenter.from_user(user), value=1)
    with override_settings(SECRET_KEY=secret_key):
        session = import_module(settings.SESSION_ENGINE).SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        response = HttpResponse()
        state = json.dumps({"k": "bench-key", "n": "Bench Guest", "e": "guest@example.org"})
        response.set_signed_cookie(identity.COOKIE, state, salt=identity.SALT)
    # A browser that signed in or posted holds a CSRF cookie (the forms set it), so the
    # layer masks that secret rather than make a new one each time.
    csrf = get_random_string(CSRF_SECRET_LENGTH, allowed_chars=CSRF_ALLOWED_CHARS)
    script = f"newsroom_js=1; newsroom_reader=1; {settings.CSRF_COOKIE_NAME}={csrf}"
    guest_cookie = response.cookies[identity.COOKIE].value
    return {
        "signed in": f"sessionid={session.session_key}; {script}",
        "guest with a cookie": f"{identity.COOKIE}={guest_cookie}; {script}",
    }


def _with_redis(serve: Callable, paths: dict, cookie: str, row: Row) -> None:
    """The layer and the live check again with the cache in Redis (BENCH_REDIS_URL), when one
    answers: there the unchanged check reads no database at all."""
    url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")
    try:
        import redis

        redis.Redis.from_url(url, socket_timeout=1).ping()
    except Exception:
        print(f"  (no Redis at {url}: the Redis comparison is skipped)")
        return
    prefix = f"bench-reader-{os.getpid()}"
    port = _free_port()
    server = serve(port, REDIS_URL=url, CACHE_KEY_PREFIX=prefix)
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        conn.request("GET", paths["live"])
        response = conn.getresponse()
        response.read()
        etag = response.getheader("ETag", "")
        check = {"Accept-Encoding": "gzip", "If-None-Match": etag}
        live_rps, robots, ratio = _against_robots(port, [paths["live"]], check)
        row("  live-update check, unchanged (304), Redis", f"{live_rps:.0f}", f"{robots:.0f}",
            f"{100 * ratio:.0f}%", ">= 80%", ratio >= 0.8)  # fmt: skip
        headers = {"Accept-Encoding": "gzip", "Cookie": cookie}
        layer_rps, robots, ratio = _against_robots(port, [paths["layer"]], headers)
        row("  the reader's layer alone, Redis", f"{layer_rps:.0f}", f"{robots:.0f}",
            f"{100 * ratio:.0f}%", ">= 50%", ratio >= 0.5)  # fmt: skip
    finally:
        server.terminate()
        server.wait(timeout=30)
        store = redis.Redis.from_url(url)
        for key in store.scan_iter(f"{prefix}:*"):
            store.delete(key)


def _lighthouse_signed_in(
    site, port: int, articles: dict, cookie: str, lighthouse: Callable, row: Row
) -> None:
    """Lighthouse on the 10,000-comment page as a signed-in reader sees it: the shared copy,
    then the layer their session brings (the cookie goes with every request)."""
    print("  Phones, signed in (Lighthouse, mobile, 10,000-comment page; median of 3 runs)")
    url = articles[10_000].get_absolute_url()
    site.get(url, {"Accept-Encoding": "gzip"})  # the shared copy, stored
    # The header reaches the server but not the page's document.cookie: the site's own
    # Set-Cookie then tells the script that the browser holds a cookie of its own.
    cookie = "; ".join(
        part for part in cookie.split("; ") if not part.startswith("newsroom_reader=")
    )
    scores = lighthouse(f"http://127.0.0.1:{port}{url}", headers={"Cookie": cookie})
    if isinstance(scores, str):
        print(f"    {scores}")
        return
    row("    performance, signed in", f"{scores[0]:.0f}", "", "", ">= 95", scores[0] >= 95)
    row("    accessibility, signed in", f"{scores[1]:.0f}", "", "", ">= 95", scores[1] >= 95)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run(
    site,
    port: int,
    articles: dict[int, Article],
    row: Row,
    *,
    secret_key: str,
    serve: Callable | None = None,
    lighthouse: Callable | None = None,
) -> None:
    print("6. Readers with a cookie: shared copy + their own layer; live-update checks")
    cookies = _reader_cookies(articles[100], secret_key)
    gzip = {"Accept-Encoding": "gzip"}
    paths = {}
    for size, article in articles.items():
        url = article.get_absolute_url()
        html = site.get(url, gzip)[2]  # the shared copy, stored
        html = site.get(url, {})[2]
        ids = ",".join(re.findall(r'data-comment-id="(\d+)"', html.decode()))
        live = reverse("comments:live", args=[article.slug])
        etag = site.get(live, {})[1].get("ETag", "")
        paths[size] = {
            "page": url,
            "layer": reverse("comments:reader", args=[article.pk]) + f"?ids={ids}",
            "live": live,
            "etag": etag,
        }
    p = paths[100]
    for who, cookie in cookies.items():
        headers = {**gzip, "Cookie": cookie}
        status, answer, body, _ = site.get(p["layer"], headers)
        if answer.get("Content-Encoding") == "gzip":
            body = gzip_module.decompress(body)
        # The layer is data: the signed-in reader's login name, or the guest's name.
        ok = status == 200 and (b'"username": "bench-reader"' in body or b"Bench Guest" in body)
        views, robots, ratio = _against_robots(port, [p["page"], p["layer"]], headers)
        row(f"  article view, {who} (page + layer)/s", f"{views:.0f}", f"{robots:.0f}",
            f"{100 * ratio:.0f}%", ">= 25%", ok and ratio >= 0.25)  # fmt: skip
    headers = {**gzip, "Cookie": cookies["signed in"]}
    layer_rps, robots, ratio = _against_robots(port, [p["layer"]], headers)
    row("  the reader's layer alone, requests/s", f"{layer_rps:.0f}", f"{robots:.0f}",
        f"{100 * ratio:.0f}%", ">= 50%", ratio >= 0.5)  # fmt: skip
    check = {**gzip, "If-None-Match": p["etag"]}
    status = site.get(p["live"], check)[0]
    live_rps, robots, ratio = _against_robots(port, [p["live"]], check)
    row("  live-update check, unchanged (304), requests/s", f"{live_rps:.0f}", f"{robots:.0f}",
        f"{100 * ratio:.0f}%", ">= 80%", status == 304 and ratio >= 0.8)  # fmt: skip
    if serve is not None:
        _with_redis(serve, p, cookies["signed in"], row)
    if lighthouse is not None:
        _lighthouse_signed_in(site, port, articles, cookies["signed in"], lighthouse, row)
    times: dict[tuple[int, str], list[float]] = {}
    for _ in range(15):  # sizes in turn, as in part 1
        for size, q in paths.items():
            for kind, path, extra in (
                ("view", q["page"], {}),
                ("layer", q["layer"], {}),
                ("live", q["live"], {"If-None-Match": q["etag"]}),
            ):
                elapsed = site.get(path, {**headers, **extra})[3]
                times.setdefault((size, kind), []).append(elapsed)
    ms = {key: 1000 * statistics.median(values) for key, values in times.items()}
    for size in (10, 10_000, 100_000):
        view = ms[size, "view"] + ms[size, "layer"]
        base = ms[10, "view"] + ms[10, "layer"]
        row(f"  {size:,} comments: page + layer, server time", f"{view:.1f} ms",
            f"{base:.1f} ms", f"{view / base:.2f}x", "<= 3x",
            view / base <= 3 if size > 10 else None)  # fmt: skip
        for kind, label in (("layer", "layer alone"), ("live", "live check")):
            value, base = ms[size, kind], ms[10, kind]
            ok = value / base <= 3 if size > 10 else None
            row(f"  {size:,} comments: {label}", f"{value:.1f} ms", f"{base:.1f} ms",
                f"{value / base:.2f}x", "<= 3x", ok)  # fmt: skip
