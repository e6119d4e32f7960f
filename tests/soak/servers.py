"""PostgreSQL servers private to a soak test, which the test may stop and start at will.

``EmbeddedServer`` is a pgserver instance (as ``make run`` uses) in a temporary folder of its
own, never the worktree's ``.pgdata``; ``OwnServer`` is a plain server on a free TCP port,
from Debian's binaries when installed (else pgserver's). Neither touches any other server.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

from tests.processes import free_port

DATABASE = "newsroom_soak"


def _server_user() -> str | None:
    """PostgreSQL refuses to run as root: pick an unprivileged account when we are root."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "pgserver"):
        try:
            pwd.getpwnam(name)
        except KeyError:
            continue
        return name
    raise RuntimeError("Running as root without a 'postgres' account to run PostgreSQL as.")


def _debian_bin() -> Path | None:
    for version in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (version / "initdb").exists() and (version / "pg_ctl").exists():
            return version
    return None


def _create_database(admin_url: str) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {DATABASE}")


class EmbeddedServer:
    """A pgserver instance in its own temporary folder (Unix socket only)."""

    kind = "embedded"

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="newsroom-soak-"))
        self.server = None

    def start(self) -> str:
        import pgserver

        self.server = pgserver.get_server(self.folder / "pgdata", cleanup_mode="stop")
        socket_dir = self.server.get_postmaster_info().socket_dir
        base = f"postgres://postgres@{quote(str(socket_dir), safe='')}"
        _create_database(f"{base}/postgres")
        return f"{base}/{DATABASE}"

    def stop_server(self) -> None:
        from pgserver._commands import pg_ctl

        pg_ctl(
            ["-w", "-m", "fast", "stop"], pgdata=self.server.pgdata, user=self.server.system_user
        )

    def start_server(self) -> None:
        from pgserver.postgres_server import PostgresServer

        with PostgresServer._lock:
            self.server.ensure_postgres_running()

    def close(self) -> None:
        if self.server is not None:
            self.server.cleanup()
        shutil.rmtree(self.folder, ignore_errors=True)


class OwnServer:
    """A PostgreSQL server of our own, on 127.0.0.1 and a free port, in a temporary folder."""

    kind = "server"

    def __init__(self) -> None:
        self.bin = _debian_bin()
        if self.bin is None:
            from pgserver._commands import POSTGRES_BIN_PATH

            self.bin = POSTGRES_BIN_PATH
        self.user = _server_user()
        self.folder = Path(tempfile.mkdtemp(prefix="newsroom-soak-server-"))
        self.data = self.folder / "data"
        self.port = free_port()
        self.started = False

    def _run(self, *args: str, timeout: int = 60) -> None:
        subprocess.run(
            [str(self.bin / args[0]), *args[1:]],
            check=True,
            user=self.user,
            cwd=self.folder,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            timeout=timeout,
        )

    def start(self) -> str:
        if self.user:
            shutil.chown(self.folder, self.user, self.user)
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust",
                  "--encoding=UTF8", "--no-sync")  # fmt: skip
        self.start_server()
        _create_database(f"postgres://postgres@127.0.0.1:{self.port}/postgres")
        return f"postgres://postgres@127.0.0.1:{self.port}/{DATABASE}"

    def start_server(self) -> None:
        options = f"-h 127.0.0.1 -p {self.port} -k {self.folder} -c fsync=off"
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.folder / "log"), "-w",
                  "-o", options, "start")  # fmt: skip
        self.started = True

    def stop_server(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-w", "-m", "fast", "stop")
        self.started = False

    def close(self) -> None:
        if self.started:
            with contextlib.suppress(subprocess.SubprocessError):
                self._run("pg_ctl", "-D", str(self.data), "-w", "-m", "immediate", "stop")
        shutil.rmtree(self.folder, ignore_errors=True)


def wait_until(check, *, timeout: float, interval: float = 0.1) -> float:
    """Call ``check`` until it returns true; the seconds it took (TimeoutError past timeout)."""
    start = time.monotonic()
    while not check():
        if time.monotonic() - start > timeout:
            raise TimeoutError(f"not ready after {timeout} s")
        time.sleep(interval)
    return time.monotonic() - start
