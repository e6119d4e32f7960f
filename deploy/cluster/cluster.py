"""`make cluster`: the whole scaled-out site on this machine, on loopback, from Debian's engines.

    python deploy/cluster/cluster.py start    # or `make cluster`; again: starts what is missing
    python deploy/cluster/cluster.py stop     # or `make cluster-stop`: stops all it started
    python deploy/cluster/cluster.py env      # the app hosts' environment, for manage.py

The demo content loads in the background once the site serves (NEWSROOM_CLUSTER_DEMO=0: not).

Varnish (the edge, 8080) -> nginx (the load balancer, 8090) -> three gunicorn app hosts
(8101-8103) -> PostgreSQL primary (25432) and a streaming replica (25433, hot standby), with
Redis (26379) for the cache and rate limits and two task workers (emails, edge purges). Data,
logs and process ids live in ``.cluster/`` (or ``NEWSROOM_CLUSTER_DIR``), kept between runs;
delete the folder for a fresh start. Never the machine's own PostgreSQL or Redis: their own
ports and folders. Missing packages are installed with apt-get when run as root.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CLUSTER = Path(os.environ.get("NEWSROOM_CLUSTER_DIR", ROOT / ".cluster")).resolve()
PYTHON = sys.executable

# Every port below 32768, where Linux takes no outgoing connection's own port: one taken there
# (55432 was) could keep PostgreSQL from listening.
EDGE_PORT = 8080
BALANCER_PORT = 8090
APP_PORTS = (8101, 8102, 8103)
PRIMARY_PORT = 25432
REPLICA_PORT = 25433
REDIS_PORT = 26379
WORKERS = ("worker-1", "worker-2")  # as if on two hosts: no email may go out twice
DATABASE = "newsroom"
VMOD_DIRS = (Path("/usr/lib/x86_64-linux-gnu/varnish/vmods"), Path("/usr/lib/varnish/vmods"))


def log(message: str) -> None:
    print(message, flush=True)


# --- Packages --------------------------------------------------------------------------------


def pg_bin() -> Path | None:
    for folder in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (folder / "pg_ctl").exists() and (folder / "pg_basebackup").exists():
            return folder
    return None


def has_xkey() -> bool:
    return any((folder / "libvmod_xkey.so").exists() for folder in VMOD_DIRS)


def missing_packages() -> list[str]:
    missing = []
    if not shutil.which("varnishd"):
        missing.append("varnish")
    if not has_xkey():
        missing.append("varnish-modules")
    if not shutil.which("nginx"):
        missing.append("nginx")
    if not shutil.which("redis-server"):
        missing.append("redis-server")
    if pg_bin() is None:
        missing.append("postgresql")
    return missing


def install_packages() -> None:
    missing = missing_packages()
    if not missing:
        return
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        sys.exit(f"The cluster needs Debian's {' '.join(missing)}: apt-get install them as root.")
    log(f"Installing {' '.join(missing)} from Debian's packages")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(
        ["apt-get", "install", "-y", "-qq", *missing],
        check=True,
        env=env,
        stdout=subprocess.DEVNULL,
    )


# --- Processes -------------------------------------------------------------------------------


def pid_file(name: str) -> Path:
    return CLUSTER / "run" / f"{name}.pid"


def running_pid(name: str) -> int | None:
    try:
        pid = int(pid_file(name).read_text().split()[0])
    except (FileNotFoundError, ValueError, IndexError):
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        return pid
    return pid


def answers(port: int, path: str = "/healthz", timeout: float = 2) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=timeout) as r:
            return r.status == 200
    except OSError:
        return False


def listening(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def wait_for(check, what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            sys.exit(f"{what} did not come up within {timeout:.0f} s (logs: {CLUSTER / 'log'})")
        time.sleep(0.1)


def spawn(name: str, command: list[str], env: dict[str, str]) -> int:
    """Start ``command`` in a session of its own (so stopping it stops its children), its
    output in log/<name>.log, its id in run/<name>.pid."""
    with open(CLUSTER / "log" / f"{name}.log", "ab") as output:
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    pid_file(name).write_text(str(process.pid))
    return process.pid


def stop_pid(name: str, *, group: bool = True) -> None:
    stop_pids([name], group=group)


def stop_pids(names: list[str], *, group: bool = True) -> None:
    """SIGTERM to each, then wait for them together (each takes a second or two to finish
    what it is doing), SIGKILL to any still running after 15 s."""
    kill = os.killpg if group else os.kill
    running = {name: pid for name in names if (pid := running_pid(name)) is not None}
    for pid in running.values():
        with contextlib.suppress(ProcessLookupError):
            kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + 15
    while any(running_pid(name) is not None for name in running) and time.monotonic() < deadline:
        time.sleep(0.1)
    for name, pid in running.items():
        if running_pid(name) is not None:
            with contextlib.suppress(ProcessLookupError):
                kill(pid, signal.SIGKILL)
    for name in names:
        pid_file(name).unlink(missing_ok=True)


# --- PostgreSQL ------------------------------------------------------------------------------


def pg_user() -> str | None:
    """PostgreSQL refuses to run as root: run it as 'postgres' when we are root."""
    if os.geteuid() != 0:
        return None
    pwd.getpwnam("postgres")
    return "postgres"


def pg(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(pg_bin() / args[0]), *args[1:]],
        check=check,
        user=pg_user(),
        cwd=CLUSTER,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def pg_running(data: Path) -> bool:
    return data.exists() and pg("pg_ctl", "-D", str(data), "status", check=False).returncode == 0


def pg_start(data: Path, port: int) -> None:
    if pg_running(data):
        return
    options = f"-h 127.0.0.1 -p {port} -k {CLUSTER / 'run'}"
    pg("pg_ctl", "-D", str(data), "-l", str(CLUSTER / "log" / f"{data.name}.log"), "-w", "-t",
       "60", "-o", options, "start")  # fmt: skip


def start_primary() -> None:
    data = CLUSTER / "pg-primary"
    if not (data / "PG_VERSION").exists():
        log("Creating the PostgreSQL primary")
        pg("initdb", "-D", str(data), "-U", "postgres", "--auth=trust", "--encoding=UTF8",
           "--no-sync")  # fmt: skip
        with open(data / "postgresql.conf", "a") as conf:
            conf.write(
                "\n# make cluster\nwal_level = replica\nmax_wal_senders = 5\n"
                "hot_standby = on\nfsync = off\nsynchronous_commit = on\n"
                "max_connections = 200\nshared_buffers = 64MB\n"
            )
    pg_start(data, PRIMARY_PORT)
    query = f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE}'"
    for _ in range(30):  # a server just started may still refuse for a moment
        answer = subprocess.run(
            [str(pg_bin() / "psql"), "-h", "127.0.0.1", "-p", str(PRIMARY_PORT), "-U",
             "postgres", "-tAc", query],
            capture_output=True, text=True,
        )  # fmt: skip
        if answer.returncode == 0:
            break
        time.sleep(1)
    else:
        sys.exit(f"The PostgreSQL primary does not answer: {answer.stderr.strip()}")
    exists = answer.stdout.strip()
    if not exists:
        subprocess.run(
            [str(pg_bin() / "createdb"), "-h", "127.0.0.1", "-p", str(PRIMARY_PORT), "-U",
             "postgres", DATABASE], check=True,
        )  # fmt: skip


def start_replica() -> None:
    data = CLUSTER / "pg-replica"
    if not (data / "PG_VERSION").exists():
        log("Copying the primary to a streaming replica (pg_basebackup -R)")
        pg("pg_basebackup", "-h", "127.0.0.1", "-p", str(PRIMARY_PORT), "-U", "postgres", "-D",
           str(data), "-R", "-X", "stream", "--checkpoint=fast", "--no-sync")  # fmt: skip
    pg_start(data, REPLICA_PORT)


def stop_postgres() -> None:
    for name in ("pg-replica", "pg-primary"):
        data = CLUSTER / name
        if pg_running(data):
            pg("pg_ctl", "-D", str(data), "-w", "-m", "fast", "stop", check=False)


# --- The app ---------------------------------------------------------------------------------


def secret_key() -> str:
    path = CLUSTER / "secret-key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
    return path.read_text().strip()


def app_env() -> dict[str, str]:
    """The environment every app host and worker shares (production settings, on loopback)."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_", "NEWSROOM_", "COMMENTS_", "REDIS_"))
    }
    env.update(
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=secret_key(),
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DJANGO_SECURE_SSL_REDIRECT="0",  # loopback has no TLS; production ends it at the edge
        DJANGO_SECURE_HSTS_SECONDS="0",
        DJANGO_LOG_LEVEL="WARNING",
        DATABASE_URL=f"postgres://postgres@127.0.0.1:{PRIMARY_PORT}/{DATABASE}",
        DATABASE_REPLICA_URL=f"postgres://postgres@127.0.0.1:{REPLICA_PORT}/{DATABASE}",
        DATABASE_REPLICA_CHECK_SECONDS="2",
        REDIS_URL=f"redis://127.0.0.1:{REDIS_PORT}/0",
        NEWSROOM_EDGE_PURGE_URLS=f"http://127.0.0.1:{EDGE_PORT}/",
        # Varnish -> nginx -> gunicorn: nginx hands on exactly one address (see nginx.conf).
        NEWSROOM_TRUSTED_PROXY_HOPS="1",
        NEWSROOM_SITE_URL=f"http://127.0.0.1:{EDGE_PORT}",
        EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        EMAIL_FILE_PATH=str(CLUSTER / "mail"),
        COMMENTS_NOTIFY_WINDOW="1",  # digests within a second, so the proofs need not wait
        MEDIA_ROOT=str(ROOT / "media"),
        SERVE_MEDIA="1",
        WEB_CONCURRENCY=os.environ.get("CLUSTER_WEB_CONCURRENCY", "2"),
    )
    return env


def prepare_database(env: dict[str, str]) -> None:
    script = (
        "from django.core.management import call_command as c\n"
        "c('migrate', interactive=False, verbosity=0)\n"
        "c('createcachetable')\n"
        "c('collectstatic', interactive=False, verbosity=0)\n"
    )
    result = subprocess.run(
        [PYTHON, "manage.py", "shell", "-c", script],
        cwd=ROOT, env=env, capture_output=True, text=True,
    )  # fmt: skip
    if result.returncode != 0:
        sys.exit(f"Preparing the database failed:\n{result.stdout}{result.stderr}")


def start_app_host(port: int, env: dict[str, str]) -> None:
    name = f"app-{port}"
    if running_pid(name) is not None:
        return
    spawn(
        name,
        [PYTHON, "-m", "gunicorn", "--config", "deploy/gunicorn.conf.py",
         "--access-logfile", str(CLUSTER / "log" / f"{name}.access.log"),
         "--control-socket", str(CLUSTER / "run" / f"{name}.ctl"), "newsroom.wsgi"],
        {**env, "GUNICORN_BIND": f"127.0.0.1:{port}"},
    )  # fmt: skip


def start_worker(name: str, env: dict[str, str]) -> None:
    if running_pid(name) is not None:
        return
    spawn(
        name,
        [PYTHON, "manage.py", "db_worker", "--no-reload", "--no-startup-delay", "--interval",
         "0.1", "--worker-id", name],
        env,
    )  # fmt: skip


def start_redis() -> None:
    if running_pid("redis") is not None:
        return
    subprocess.run(
        ["redis-server", "--port", str(REDIS_PORT), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no", "--daemonize", "yes", "--pidfile", str(pid_file("redis")),
         "--logfile", str(CLUSTER / "log" / "redis.log"), "--dir", str(CLUSTER / "run")],
        check=True,
    )  # fmt: skip
    wait_for(lambda: listening(REDIS_PORT), "Redis")


def start_nginx() -> None:
    if running_pid("nginx") is not None:
        return
    template = (ROOT / "deploy" / "cluster" / "nginx.conf").read_text()
    conf = CLUSTER / "nginx" / "nginx.conf"
    conf.write_text(template.replace("@CLUSTER@", str(CLUSTER)).replace("@ROOT@", str(ROOT)))
    subprocess.run(["nginx", "-p", str(CLUSTER / "nginx"), "-c", str(conf)], check=True)
    wait_for(lambda: listening(BALANCER_PORT), "nginx")


def start_varnish() -> None:
    if running_pid("varnish") is not None:
        return
    subprocess.run(
        ["varnishd", "-a", f"127.0.0.1:{EDGE_PORT}", "-T", "127.0.0.1:0",
         "-f", str(ROOT / "deploy" / "varnish.vcl"), "-n", str(CLUSTER / "varnish"),
         "-P", str(pid_file("varnish")), "-s", "malloc,128m"],
        check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    wait_for(lambda: answers(EDGE_PORT), "Varnish")


def start() -> None:
    began = time.monotonic()
    install_packages()
    for folder in ("run", "log", "mail", "nginx/body", "nginx/proxy"):
        (CLUSTER / folder).mkdir(parents=True, exist_ok=True)
    user = pg_user()
    if user:
        shutil.chown(CLUSTER, user)  # the servers' own folders are made inside it by them
        os.chmod(CLUSTER / "run", 0o777)  # PostgreSQL's sockets go there
        os.chmod(CLUSTER / "log", 0o777)
        # nginx's workers run as nobody: their temporary folders must be theirs to write.
        for folder in ("nginx/body", "nginx/proxy"):
            os.chmod(CLUSTER / folder, 0o777)
    start_primary()
    start_redis()
    env = app_env()
    # The hosts boot (imports, forks) while the database is migrated: they answer only after.
    for port in APP_PORTS:
        start_app_host(port, env)
    prepare_database(env)
    start_replica()
    # The demo content (the slowest part, ~10 s of CPU) loads while the site already serves;
    # the proofs and the bench make their own articles and skip it.
    if os.environ.get("NEWSROOM_CLUSTER_DEMO", "1") != "0" and running_pid("demo") is None:
        spawn("demo", [PYTHON, "manage.py", "demo"], env)
    for name in WORKERS:
        start_worker(name, env)
    for port in APP_PORTS:
        wait_for(lambda port=port: answers(port), f"The app host on {port}")
    start_nginx()
    start_varnish()
    log(f"Edge: http://127.0.0.1:{EDGE_PORT}/")
    log(f"Load balancer: http://127.0.0.1:{BALANCER_PORT}/")
    for port in APP_PORTS:
        log(f"App host: http://127.0.0.1:{port}/")
    log(f"PostgreSQL primary: postgres://postgres@127.0.0.1:{PRIMARY_PORT}/{DATABASE}")
    log(f"PostgreSQL replica: postgres://postgres@127.0.0.1:{REPLICA_PORT}/{DATABASE}")
    log(f"Redis: redis://127.0.0.1:{REDIS_PORT}/0")
    log(f"Task workers: {', '.join(WORKERS)}; logs in {CLUSTER / 'log'}")
    if running_pid("demo") is not None:
        log("Demo content is loading in the background (log/demo.log)")
    log(f"Ready in {time.monotonic() - began:.0f} s; `make cluster-stop` stops it all.")


def stop() -> None:
    stop_pid("demo")
    stop_pid("varnish", group=False)  # daemons: their own pid files, their own children
    stop_pid("nginx", group=False)
    # The app hosts and the task workers stop side by side: one after another took 10 s.
    stop_pids([*WORKERS, *(f"app-{port}" for port in APP_PORTS)])
    stop_pid("redis", group=False)
    stop_postgres()
    log("Cluster stopped.")


def main(argv: list[str]) -> None:
    command = argv[1] if len(argv) > 1 else "start"
    if command == "start":
        start()
    elif command == "stop":
        stop()
    elif command == "env":
        for key, value in app_env().items():
            if key.startswith(("DJANGO_", "DATABASE_", "REDIS_", "NEWSROOM_", "EMAIL_")):
                print(f"export {key}='{value}'")
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
