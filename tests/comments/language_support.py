"""Test doubles for the language checks: a deterministic scorer standing in for the model,
and a real HTTP server on loopback playing a Perspective-compatible external scorer."""

from __future__ import annotations

import fcntl
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from comments.models import LanguagePolicy, ScoreThreshold
from comments.moderation import language
from comments.moderation.language import LanguageScore

# Texts the double knows, with their scores and the words it says drove them. Against the
# thresholds the double pins while it stands in (``DOUBLE_THRESHOLDS``):
HATEFUL = "Immigrants are vermin and should be driven out."  # refused
UNSURE = "People like that are a problem for this town."  # hate in the grey zone: held
RUDE = "Only an idiot would vote for this bridge."  # offensive: held
COUNTER = "Calling immigrants vermin is vile, and I say so as a neighbour."  # low: published
CIVIL = "The bridge will cut my commute by ten minutes."  # nothing: published

# hate: hold 0.5, refuse 0.9; offensive: hold 0.7, never refuse. Pinned in the site's policy
# and as the defaults, so that these tests do not move whenever the model is retrained.
DOUBLE_THRESHOLDS = {"hate": (0.5, 0.9), "offensive": (0.7, None)}

SCORES: dict[str, tuple[dict[str, float], dict[str, list[str]]]] = {
    HATEFUL: ({"hate": 0.96, "offensive": 0.41}, {"hate": ["vermin", "driven out"]}),
    UNSURE: ({"hate": 0.62, "offensive": 0.08}, {"hate": ["people like that", "problem"]}),
    RUDE: ({"hate": 0.04, "offensive": 0.81}, {"offensive": ["idiot"]}),
    COUNTER: ({"hate": 0.31, "offensive": 0.12}, {"hate": ["vermin"]}),
}


class FakeScorer:
    """Maps the known texts to their scores (anything else scores 0) and counts its calls."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def __call__(self, text: str) -> LanguageScore:
        self.calls.append(text)
        scores, reasons = SCORES.get(text, ({name: 0.0 for name in language.CATEGORIES}, {}))
        return LanguageScore(scores=dict(scores), reasons={k: list(v) for k, v in reasons.items()})


@pytest.fixture
def embedding_cache(run_folder) -> Iterator[Path]:
    """A folder for ``train_language_model --embedding-cache``, shared by the run's processes:
    every recalibration embeds the same few hundred dev examples (tens of milliseconds each),
    so the second test to recalibrate finds them there. Locked while a test uses it, so one
    process at a time writes it."""
    folder = run_folder / "embeddings"
    folder.mkdir(exist_ok=True)
    with open(folder / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield folder


@pytest.fixture
def scorer(monkeypatch, db) -> FakeScorer:
    """The model's stand-in: ``comments.moderation.language.score`` answers from ``SCORES``,
    against ``DOUBLE_THRESHOLDS``."""
    policy, _ = LanguagePolicy.objects.get_or_create(pk=LanguagePolicy.SITE)
    for category, (hold_at, refuse_at) in DOUBLE_THRESHOLDS.items():
        ScoreThreshold.objects.update_or_create(
            policy=policy, category=category, defaults={"hold_at": hold_at, "refuse_at": refuse_at}
        )
    monkeypatch.setattr(language, "DEFAULT_THRESHOLDS", DOUBLE_THRESHOLDS)
    fake = FakeScorer()
    monkeypatch.setattr(language, "score", fake)
    return fake


class ExternalScorer:
    """A Perspective-compatible endpoint on 127.0.0.1 in a thread. ``mode``: ``good`` (answers
    ``scores``), ``slow`` (answers nothing until the test ends), ``malformed`` (not JSON),
    ``incomplete`` (JSON without a score), ``error`` (HTTP 503). ``requests`` keeps each
    request body."""

    def __init__(self) -> None:
        self.mode = "good"
        self.scores = {"IDENTITY_ATTACK": 0.02, "TOXICITY": 0.03}
        self.requests: list[dict] = []
        self.release = threading.Event()
        scorer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                scorer.requests.append(json.loads(self.rfile.read(length)))
                if scorer.mode == "slow":
                    scorer.release.wait(30)  # the client gives up long before
                    return
                if scorer.mode == "error":
                    self._answer(503, b'{"error": "overloaded"}')
                elif scorer.mode == "malformed":
                    self._answer(200, b"<html>not json</html>")
                elif scorer.mode == "incomplete":
                    self._answer(200, json.dumps({"attributeScores": {}}).encode())
                else:
                    body = {
                        "attributeScores": {
                            name: {"summaryScore": {"value": value, "type": "PROBABILITY"}}
                            for name, value in scorer.scores.items()
                        },
                        "languages": ["en"],
                    }
                    self._answer(200, json.dumps(body).encode())

            def _answer(self, status: int, body: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1alpha1/comments:analyze"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> ExternalScorer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def external(settings) -> Iterator[ExternalScorer]:
    """A running external scorer, configured with a short timeout."""
    with ExternalScorer() as server:
        settings.COMMENTS_EXTERNAL_SCORER_URL = server.url
        settings.COMMENTS_EXTERNAL_SCORER_TIMEOUT = 0.5
        yield server
