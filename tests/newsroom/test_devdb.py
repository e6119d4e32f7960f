"""The embedded PostgreSQL that runs when DATABASE_URL is unset (newsroom/devdb.py)."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CONNECT = (
    "import os, psycopg; "
    "import dj_database_url as d; c = d.parse(os.environ['DATABASE_URL']); "
    "conn = psycopg.connect(dbname=c['NAME'], user=c['USER'], host=c['HOST']); "
    "print(conn.execute('select current_database()').fetchone()[0])"
)


def test_embedded_server_runs_a_command_and_stops_after_it(tmp_path):
    # A deep folder: the server's socket path must still fit (pgserver then moves the socket).
    data = tmp_path / ("d" * 60) / ("e" * 40) / ".pgdata"
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
