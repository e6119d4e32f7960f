"""Run several commands side by side and stop them together (``make run``: gunicorn and the
task worker).

    python -m newsroom.together "gunicorn newsroom.wsgi" "python manage.py db_worker"

Ctrl-C (SIGINT) or SIGTERM stops every command with one SIGTERM each, and so does any one of
them exiting. The commands run in their own session, so the terminal's Ctrl-C reaches them
only through this process: the worker gets one signal, finishes the task in hand and exits.
Returns the exit status of the first command that ended on its own (0 after Ctrl-C).
"""

from __future__ import annotations

import os
import shlex
import signal
import subprocess
import sys

GRACE_SECONDS = 30


def run(commands: list[str]) -> int:
    children = [
        subprocess.Popen(shlex.split(command), start_new_session=True) for command in commands
    ]
    stopping = False

    def stop(signum=None, frame=None) -> None:
        nonlocal stopping
        stopping = True
        for child in children:
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    status = 0
    try:
        _pid, wait_status = os.wait()  # the first child to end (or all, after a signal)
        if not stopping:
            status = os.waitstatus_to_exitcode(wait_status)
            stop()
    except ChildProcessError:
        pass
    for child in children:
        try:
            child.wait(timeout=GRACE_SECONDS)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
    return status if status >= 0 else 128 - status


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    return run(argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
