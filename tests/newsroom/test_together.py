"""``make run``'s supervisor: gunicorn and the worker start together, a command that dies is
started again (bounded, with backoff, logged), Ctrl-C or SIGTERM stops them together, and a
killed supervisor takes its commands with it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def supervise(tmp_path: Path, *commands: str, restarts: int = 10) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "newsroom.together", *commands],
        cwd=ROOT,
        start_new_session=True,
        env={**os.environ, "NEWSROOM_RESTARTS": str(restarts)},
        stderr=open(tmp_path / "together.log", "w"),
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


def wait_for(check, what: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, what
        time.sleep(0.05)


def test_a_command_that_dies_is_started_again_and_the_other_keeps_running(tmp_path):
    """The review: PostgreSQL restarted, the worker exited, and the supervisor stopped
    gunicorn too. Now the dead command comes back; the other never stops."""
    supervisor = supervise(tmp_path, sleeper(tmp_path, "web"), sleeper(tmp_path, "worker"))
    try:
        web, worker = pids(tmp_path, "web", "worker")
        (tmp_path / "worker").write_text("")
        os.kill(worker, signal.SIGKILL)
        [again] = pids(tmp_path, "worker")
        assert again != worker and is_running(again)
        assert is_running(web) and supervisor.poll() is None
        log = (tmp_path / "together.log").read_text()
        assert "exited with status -9" in log and "starting it again" in log
    finally:
        supervisor.send_signal(signal.SIGTERM)
        assert supervisor.wait(timeout=30) == 0
    assert not is_running(web) and not is_running(again)


def test_a_command_that_keeps_failing_is_given_up_on_after_a_bounded_number_of_starts(tmp_path):
    counter = tmp_path / "starts"
    failing = (
        "import pathlib, sys\n"
        f"p = pathlib.Path({str(counter)!r})\n"
        "p.write_text(p.read_text() + 'x' if p.exists() else 'x')\n"
        "sys.exit(3)"
    )
    supervisor = supervise(
        tmp_path, sleeper(tmp_path, "web"), f'{sys.executable} -c "{failing}"', restarts=2
    )
    [web] = pids(tmp_path, "web")
    assert supervisor.wait(timeout=60) == 3
    assert counter.read_text() == "xxx"  # the first start and two more, with pauses between
    assert not is_running(web)
    log = (tmp_path / "together.log").read_text()
    assert log.count("starting it again in") == 2
    assert "starting it again in 1 s" in log and "starting it again in 2 s" in log
    assert "3 times in 300 s: giving up, stopping everything" in log


def test_a_killed_supervisor_takes_its_commands_with_it(tmp_path):
    """Killed outright (no chance to stop anything), it leaves no gunicorn holding the port:
    the kernel sends each command SIGTERM when its parent dies."""
    supervisor = supervise(tmp_path, sleeper(tmp_path, "web"), sleeper(tmp_path, "worker"))
    web, worker = pids(tmp_path, "web", "worker")
    supervisor.kill()
    supervisor.wait(timeout=30)
    wait_for(lambda: not is_running(web) and not is_running(worker), "children outlived it")
