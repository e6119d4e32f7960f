"""An embedded PostgreSQL for machines without a database server.

When ``DATABASE_URL`` is unset, the project runs its own PostgreSQL from the ``pgserver``
package, with its data in ``.pgdata/`` (ignored by git). pgserver counts the processes that
hold the server and stops it when the last of them exits, so ``make run`` and ``make test``
can share one server and neither leaves it running.

    python -m newsroom.devdb exec -- gunicorn newsroom.wsgi   # run a command with a database
    python -m newsroom.devdb url                             # print the URL (server stays up)
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import warnings
from pathlib import Path
from urllib.parse import quote

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("NEWSROOM_PGDATA", BASE_DIR / ".pgdata"))
DATABASE_NAME = "newsroom"

_server = None


def database_url(cleanup_mode: str | None = "stop") -> str:
    """Start the embedded server if needed and return a URL for the project's database.

    The calling process holds the server until it exits (``cleanup_mode="stop"``).
    """
    global _server
    if _server is None:
        warnings.filterwarnings("ignore", module="platformdirs")
        import pgserver

        DATA_DIR.mkdir(parents=True, exist_ok=True)
        _server = pgserver.get_server(DATA_DIR, cleanup_mode=cleanup_mode)
        exists = _server.psql(
            f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE_NAME}';"
        ).strip()
        if "(1 row)" not in exists:
            _server.psql(f"CREATE DATABASE {DATABASE_NAME};")
    # The server listens on a Unix socket only (no TCP port): in the data folder, or in a
    # shorter folder pgserver picks when that path is too long for a socket.
    socket_dir = _server.get_postmaster_info().socket_dir
    return f"postgres://postgres@{quote(str(socket_dir), safe='')}/{DATABASE_NAME}"


def run_with_database(command: list[str]) -> int:
    """Run ``command`` with ``DATABASE_URL`` set, starting the embedded server if needed."""
    env = dict(os.environ)
    if not env.get("DATABASE_URL"):
        env["DATABASE_URL"] = database_url()
        print(f"Embedded PostgreSQL running in {DATA_DIR}", file=sys.stderr)
    child = subprocess.Popen(command, env=env)
    # Ctrl-C reaches the whole process group: let the child shut down first, then stop the
    # server (pgserver's exit handler) once the child has gone.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, lambda signum, frame: child.send_signal(signum))
    return child.wait()


def main(argv: list[str]) -> int:
    if argv[:1] == ["url"]:
        print(database_url(cleanup_mode=None))
        return 0
    if argv[:1] == ["exec"]:
        command = argv[1:]
        if command[:1] == ["--"]:
            command = command[1:]
        if command:
            return run_with_database(command)
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
