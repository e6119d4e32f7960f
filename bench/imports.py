"""``make bench``, part 6: importing a Disqus export of a million comments (BENCH_IMPORT_COMMENTS
makes it smaller) with bounded memory.

The file is generated on disk first, streamed (never built in memory): a thousand comments
per thread, posts of all threads interleaved as a forum's export lists them, seven in ten
replying to a recent post of their thread. ``import_disqus`` then runs in this process while
a thread samples its resident memory; memory must stay flat (the last tenth of the run
against the first tenth), and comments per second are reported.
"""

from __future__ import annotations

import os
import random
import tempfile
import threading
import time
from collections.abc import Callable
from io import StringIO
from pathlib import Path

from django.core.management import call_command

from articles.models import Article, Author, Section
from comments.models import Comment

COMMENTS = int(os.environ.get("BENCH_IMPORT_COMMENTS", "1000000"))
PER_THREAD = 1000


def rss_bytes() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def write_export(path: Path, comments: int, threads: int, rng: random.Random) -> None:
    with open(path, "w", encoding="utf-8") as out:
        out.write(
            '<?xml version="1.0" encoding="utf-8"?>\n<disqus xmlns="http://disqus.com" '
            'xmlns:dsq="http://disqus.com/disqus-internals">\n'
        )
        for t in range(threads):
            out.write(
                f'<thread dsq:id="t{t}"><id>bench-{t}</id><forum>bench</forum>'
                f"<link>https://old.example.org/articles/bench-{t}/</link>"
                f"<title>Story {t}</title></thread>\n"
            )
        recent: list[list[int]] = [[] for _ in range(threads)]
        for n in range(comments):
            t = n % threads
            parent = ""
            if recent[t] and rng.random() < 0.7:
                parent = f'<parent dsq:id="p{rng.choice(recent[t])}"/>'
            recent[t] = (recent[t] + [n])[-30:]
            out.write(
                f'<post dsq:id="p{n}"><message><![CDATA[<p>Comment {n} on story {t}: the '
                f"<b>bridge</b> &amp; the budget, again.</p><p>Second paragraph.</p>]]>"
                f"</message><createdAt>2020-01-01T{n % 24:02d}:{n % 60:02d}:00Z</createdAt>"
                f"<isDeleted>false</isDeleted><isSpam>{'true' if n % 97 == 0 else 'false'}"
                f"</isSpam><author><name>Reader {n % 5000}</name>"
                f"<email>reader{n % 5000}@example.org</email></author>"
                f'<thread dsq:id="t{t}"/>{parent}</post>\n'
            )
        out.write("</disqus>\n")


def run(row: Callable[..., None]) -> None:
    comments = COMMENTS
    threads = max(1, comments // PER_THREAD)
    print(f"6. Importing a Disqus export of {comments:,} comments in {threads:,} threads")
    section = Section.objects.create(name="Imported", slug="imported")
    author = Author.objects.create(name="Bench Writer", slug="bench-writer")
    for t in range(threads):
        article = Article.objects.create(
            headline=f"Story {t}",
            slug=f"bench-{t}",
            standfirst="A story.",
            body="One paragraph.",
            section=section,
            status=Article.Status.PUBLISHED,
        )
        article.authors.add(author)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "disqus.xml"
        write_export(path, comments, threads, random.Random(7))
        size = path.stat().st_size
        samples: list[tuple[float, int]] = []
        done = threading.Event()

        def sample() -> None:
            while not done.wait(0.25):
                samples.append((time.perf_counter(), rss_bytes()))

        sampler = threading.Thread(target=sample, daemon=True)
        began = time.perf_counter()
        samples.append((began, rss_bytes()))
        sampler.start()
        call_command("import_disqus", str(path), stdout=StringIO(), verbosity=0)
        ended = time.perf_counter()
        done.set()
        sampler.join()
        samples.append((ended, rss_bytes()))
    imported = Comment.objects.count()
    elapsed = ended - began
    first = max(rss for at, rss in samples if at <= began + elapsed / 10)
    last = max(rss for at, rss in samples if at >= ended - elapsed / 10)
    peak = max(rss for _, rss in samples)
    mb = 1024 * 1024
    print(f"  file {size / mb:,.0f} MB; {imported:,} comments imported in {elapsed:,.0f} s")
    row("  comments imported per second", f"{imported / elapsed:,.0f}", "", "", "report", None)
    ratio = last / first
    row("  memory, last tenth vs first tenth of the run", f"{last / mb:,.0f} MB",
        f"{first / mb:,.0f} MB", f"{ratio:.2f}x", "<= 1.5x", ratio <= 1.5)  # fmt: skip
    row("  peak memory", f"{peak / mb:,.0f} MB", "", "", "report", None)
    row("  every comment imported", f"{imported:,}", f"{comments:,}", "", "all",
        imported == comments)  # fmt: skip
