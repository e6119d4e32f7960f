"""The embedded PostgreSQL that runs when DATABASE_URL is unset (newsroom/devdb.py)."""

import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CONNECT = (
    "import os, psycopg; "
    "import dj_database_url as d; c = d.parse(os.environ['DATABASE_URL']); "
    "conn = psycopg.connect(dbname=c['NAME'], user=c['USER'], host=c['HOST']); "
    "print(conn.execute('select current_database()').fetchone()[0])"
)


@pytest.fixture
def shared_tmp_path() -> Iterator[Path]:
    """A temporary folder outside pytest's own: run as root, pgserver runs PostgreSQL as another
    user and opens the folders above the data to it, but every pytest process that starts
    (an xdist worker, another suite on the machine) closes /tmp/pytest-of-<user> again."""
    with tempfile.TemporaryDirectory(prefix="newsroom-devdb-") as folder:
        yield Path(folder)


def test_embedded_server_runs_a_command_and_stops_after_it(shared_tmp_path):
    # A deep folder: the server's socket path must still fit (pgserver then moves the socket).
    data = shared_tmp_path / ("d" * 60) / ("e" * 40) / ".pgdata"
    data.parent.mkdir(parents=True)
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["NEWSROOM_PGDATA"] = str(data)
    result = subprocess.run(
        [sys.executable, "-m", "newsroom.devdb", "exec", "--", sys.executable, "-c", CONNECT],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "newsroom"
    # The last holder has gone: the server has stopped and left no pid file behind.
    assert not (data / "postmaster.pid").exists()
