"""An embedded PostgreSQL for machines without a database server.

When ``DATABASE_URL`` is unset, the project runs its own PostgreSQL from the ``pgserver``
package, with its data in ``.pgdata/`` (ignored by git). pgserver counts the processes that
hold the server and stops it when the last of them exits, so ``make run`` and ``make test``
can share one server and neither leaves it running.

    python -m newsroom.devdb exec -- gunicorn newsroom.wsgi   # run a command with a database
    python -m newsroom.devdb url                             # print the URL (server stays up)
    python -m newsroom.devdb backup [FILE]                   # pg_dump to FILE (make backup)
    python -m newsroom.devdb restore FILE                    # pg_restore FILE (make restore)

backup and restore use the pg_dump and pg_restore that pgserver ships, which match its
server; with DATABASE_URL set they work on that database instead.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import warnings
from datetime import UTC, datetime
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


def _client(name: str) -> str:
    """pgserver's own client program (same version as its server)."""
    from pgserver._commands import POSTGRES_BIN_PATH

    return str(POSTGRES_BIN_PATH / name)


def backup(path: Path | None = None) -> Path:
    """Dump the database (DATABASE_URL, or the embedded one) in pg_dump's custom format."""
    url = os.environ.get("DATABASE_URL") or database_url()
    if path is None:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        path = BASE_DIR / "backups" / f"newsroom-{stamp}.dump"
    path.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [_client("pg_dump"), "--format=custom", "--no-owner", "--file", str(path), url],
        check=True,
    )
    return path


def restore(path: Path) -> None:
    """Replace the database's tables with those in a dump, in one transaction (on failure the
    database is left as it was)."""
    if not path.is_file():
        raise FileNotFoundError(f"No backup at {path}")
    url = os.environ.get("DATABASE_URL") or database_url()
    subprocess.run(
        [_client("pg_restore"), "--clean", "--if-exists", "--no-owner", "--no-privileges",
         "--single-transaction", "--exit-on-error", "--dbname", url, str(path)],
        check=True,
    )  # fmt: skip


def main(argv: list[str]) -> int:
    if argv[:1] == ["backup"] and len(argv) <= 2:
        path = backup(Path(argv[1]) if len(argv) == 2 else None)
        print(f"Backed up to {path}", file=sys.stderr)
        return 0
    if argv[:1] == ["restore"] and len(argv) == 2:
        try:
            restore(Path(argv[1]))
        except (FileNotFoundError, subprocess.CalledProcessError) as error:
            print(f"Restore failed, nothing changed: {error}", file=sys.stderr)
            return 1
        print(f"Restored {argv[1]}", file=sys.stderr)
        return 0
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
