"""Run several commands side by side and keep them running (``make run``: gunicorn and the
task worker).

    python -m newsroom.together "gunicorn newsroom.wsgi" "python manage.py db_worker"

A command that ends on its own is logged and started again after a pause that doubles with
each quick failure (1, 2, 4 ... seconds, at most ``MAX_BACKOFF``); one that ran for a while
starts again after a second. A command that keeps failing (``NEWSROOM_RESTARTS`` starts
within ``RESTART_PERIOD`` seconds) is given up on: then every command stops, and this
process exits with its status. Only Ctrl-C (SIGINT) or SIGTERM stops everything otherwise,
with one SIGTERM to each command, so the worker finishes the task in hand.

The commands run in their own session, so the terminal's Ctrl-C reaches them only through
this process. On Linux each is also told by the kernel to stop (SIGTERM) when this process
dies, however it dies (``PR_SET_PDEATHSIG``): a killed supervisor leaves no gunicorn holding
the port.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import os
import shlex
import signal
import subprocess
import sys
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

logger = logging.getLogger("newsroom.together")

GRACE_SECONDS = 30
MAX_BACKOFF = 30.0  # seconds between the starts of a command that keeps failing
RESTART_PERIOD = 300.0  # seconds over which ``NEWSROOM_RESTARTS`` starts are counted
STEADY_SECONDS = 60.0  # a command that ran this long starts again without a long pause
PR_SET_PDEATHSIG = 1


def _die_with_parent(parent: int) -> Callable[[], None] | None:
    """A ``preexec_fn`` that asks the kernel to SIGTERM the child when ``parent`` dies (Linux;
    elsewhere None, and the children outlive a killed supervisor)."""
    name = ctypes.util.find_library("c") if sys.platform.startswith("linux") else None
    if name is None:
        return None
    libc = ctypes.CDLL(name, use_errno=True)  # loaded here: the child only calls it

    def preexec() -> None:
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
        if os.getppid() != parent:  # the parent died before the request took hold
            os._exit(1)

    return preexec


@dataclass
class Child:
    command: str
    process: subprocess.Popen | None = None
    started_at: float = 0.0
    starts: deque[float] = field(default_factory=deque)
    failures_in_a_row: int = 0
    restart_at: float | None = None

    @property
    def name(self) -> str:
        """The program and its first argument ("gunicorn --config", "python manage.py")."""
        words = shlex.split(self.command)[:2]
        return " ".join([os.path.basename(words[0]), *words[1:]])

    def start(self) -> None:
        now = time.monotonic()
        self.process = subprocess.Popen(
            shlex.split(self.command),
            start_new_session=True,
            preexec_fn=_die_with_parent(os.getpid()),
        )
        self.started_at = now
        self.starts.append(now)
        self.restart_at = None

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None


def _restarts_allowed() -> int:
    try:
        return max(0, int(os.environ.get("NEWSROOM_RESTARTS", "10")))
    except ValueError:
        return 10


def run(commands: list[str]) -> int:
    children = [Child(command) for command in commands]
    stopping = False

    def stop(signum=None, frame=None) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    for child in children:
        child.start()
    allowed = _restarts_allowed()
    status = 0
    while not stopping:
        now = time.monotonic()
        for child in children:
            if child.restart_at is not None:
                if now >= child.restart_at:
                    logger.warning("together: starting %s again", child.name)
                    child.start()
                continue
            code = child.process.poll()
            if code is None:
                continue
            ran = now - child.started_at
            child.failures_in_a_row = 0 if ran >= STEADY_SECONDS else child.failures_in_a_row + 1
            while child.starts and now - child.starts[0] > RESTART_PERIOD:
                child.starts.popleft()
            if len(child.starts) > allowed:
                logger.error(
                    "together: %s exited with status %s, %d times in %d s: giving up, "
                    "stopping everything",
                    child.name,
                    code,
                    len(child.starts),
                    RESTART_PERIOD,
                )
                status = code if code >= 0 else 128 - code
                stopping = True
                break
            pause = min(MAX_BACKOFF, 2 ** max(child.failures_in_a_row - 1, 0))
            logger.warning(
                "together: %s exited with status %s after %.0f s; starting it again in %.0f s",
                child.name,
                code,
                ran,
                pause,
            )
            child.restart_at = now + pause
        if not stopping:
            time.sleep(0.2)
    _stop_all(children)
    return status


def _stop_all(children: list[Child]) -> None:
    for child in children:
        if child.alive():
            child.process.send_signal(signal.SIGTERM)
    for child in children:
        if child.process is None:
            continue
        try:
            child.process.wait(timeout=GRACE_SECONDS)
        except subprocess.TimeoutExpired:
            child.process.kill()
            child.process.wait()


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    return run(argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
