import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.django_db


def test_healthz_reports_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_server_error_page_is_designed(client, settings):
    from newsroom.views import server_error

    response = server_error(None)
    assert response.status_code == 500
    assert b"Something went wrong" in response.content


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {**os.environ, **env}
    # The browser tests allow sync ORM calls beside Playwright's event loop; a production
    # check must not see that switch (check --deploy warns about it).
    environment.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_check_deploy():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="x" * 20 + "a-long-random-production-secret-key-1234567890",
        DJANGO_ALLOWED_HOSTS="news.example.org",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    result = _manage("check", DJANGO_DEBUG="0", DJANGO_SECRET_KEY="")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


# --- Shared counters in PostgreSQL -------------------------------------------------------------


def test_counters_count_atomically_per_window_and_sweep_expired_ones():
    from datetime import timedelta

    from django.utils import timezone

    from newsroom import ratelimit
    from newsroom.models import Counter

    now = timezone.now()
    counts = [ratelimit.increment("k", seconds=60, now=now) for _ in range(3)]
    assert counts == [1, 2, 3]
    assert Counter.objects.get().count == 3
    # A new window, an hour on, opens: the expired window is deleted.
    assert ratelimit.increment("k", seconds=60, now=now + timedelta(hours=1)) == 1
    assert Counter.objects.count() == 1


# --- Settings fail closed --------------------------------------------------------------------

_PRINT_SETTINGS = (
    "from django.conf import settings; "
    "print(settings.DEBUG, settings.SERVE_MEDIA, settings.ALLOWED_HOSTS, settings.SECRET_KEY)"
)


def _without_development(**env: str) -> dict[str, str]:
    environment = {k: v for k, v in os.environ.items() if k not in {"DJANGO_DEBUG", "SERVE_MEDIA"}}
    environment.pop("DJANGO_SECRET_KEY", None)
    environment.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return {**environment, **env}


def _run(code: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", code],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def test_unset_environment_means_production_settings():
    result = _run(_PRINT_SETTINGS, _without_development(DJANGO_SECRET_KEY="k" * 60))
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[:3] == ["False", "False", "[]"]


def test_unset_environment_without_a_secret_key_refuses_to_start():
    result = _run(_PRINT_SETTINGS, _without_development())
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_development_never_uses_a_publicly_known_secret_key():
    env = _without_development(DJANGO_DEBUG="1")
    first, second = _run(_PRINT_SETTINGS, env), _run(_PRINT_SETTINGS, env)
    key = first.stdout.split()[-1]
    assert first.stdout.split()[0] == "True"
    assert key == second.stdout.split()[-1]  # every local process agrees on it
    assert len(key) >= 50 and "insecure" not in key


def test_media_is_not_served_unless_asked(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    (tmp_path / "photo.txt").write_text("bytes")
    settings.SERVE_MEDIA = False
    assert client.get("/media/photo.txt").status_code == 404
    settings.SERVE_MEDIA = True
    assert client.get("/media/photo.txt").status_code == 200


# --- Content Security Policy -------------------------------------------------------------------

STRICT = [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "object-src 'none'",
    "frame-ancestors 'none'",
    "form-action 'self'",
]


@pytest.mark.parametrize(
    ("url", "staff"),
    [
        ("/", False),
        ("/accounts/login/", False),
        ("/accounts/signup/", False),
        ("/no-such-page/", False),
        ("/robots.txt", False),
        ("/admin/login/", False),
        ("/admin/", True),
        ("/admin/comments/comment/", True),
        ("/admin/articles/article/add/", True),
    ],
)
def test_every_page_sends_a_strict_content_security_policy(client, url, staff):
    from tests.helpers import make_user

    if staff:
        client.force_login(make_user(is_staff=True, is_superuser=True))
    response = client.get(url)
    policy = response.headers["Content-Security-Policy"]
    for directive in STRICT:
        assert directive in policy
    if url.startswith("/admin/"):
        # django-mptt indents the comment tree with style attributes: those, and only those.
        policy = policy.replace("; style-src-attr 'unsafe-inline'", "")
    assert "unsafe-inline" not in policy
