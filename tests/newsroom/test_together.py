"""``make run``'s supervisor: gunicorn and the worker start together and stop together."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def supervise(tmp_path: Path, *commands: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "newsroom.together", *commands], cwd=ROOT, start_new_session=True
    )


def sleeper(tmp_path: Path, name: str) -> str:
    """A command that writes its pid to a file, then waits to be stopped."""
    script = (
        "import os, pathlib, signal, sys, time; "
        f"pathlib.Path({str(tmp_path / name)!r}).write_text(str(os.getpid())); "
        "signal.signal(signal.SIGTERM, lambda *a: sys.exit(0)); "
        "time.sleep(120)"
    )
    return f'{sys.executable} -c "{script}"'


def pids(tmp_path: Path, *names: str) -> list[int]:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if all((tmp_path / name).exists() and (tmp_path / name).read_text() for name in names):
            return [int((tmp_path / name).read_text()) for name in names]
        time.sleep(0.05)
    raise AssertionError("the commands did not start")


def is_running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_ctrl_c_stops_every_command(tmp_path):
    supervisor = supervise(tmp_path, sleeper(tmp_path, "web"), sleeper(tmp_path, "worker"))
    web, worker = pids(tmp_path, "web", "worker")
    supervisor.send_signal(signal.SIGINT)
    assert supervisor.wait(timeout=30) == 0
    assert not is_running(web) and not is_running(worker)


def test_one_command_ending_stops_the_other(tmp_path):
    started = tmp_path / "web"
    # Fails once the other command has started (so there is something to stop).
    failing = (
        "import pathlib, sys, time\n"
        f"p = pathlib.Path({str(started)!r})\n"
        "while not (p.exists() and p.read_text()): time.sleep(0.05)\n"
        "sys.exit(3)"
    )
    supervisor = supervise(tmp_path, sleeper(tmp_path, "web"), f'{sys.executable} -c "{failing}"')
    [web] = pids(tmp_path, "web")
    assert supervisor.wait(timeout=30) == 3
    assert not is_running(web)
