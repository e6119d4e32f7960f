"""`make backup` and `make restore`: a dump restored into a fresh database holds the same
articles, comment trees, votes and moderation history."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
from django.db import connection

from comments import moderation, services
from comments.models import Comment
from tests.comments.helpers import guest, make_posted_comment
from tests.helpers import make_article, make_user

ROOT = Path(__file__).resolve().parents[2]

TABLES = {
    "articles": "SELECT id, slug, headline, body, status, published_at, comment_count "
    "FROM articles_article ORDER BY id",
    "comments": "SELECT id, article_id, parent_id, tree_id, lft, rght, level, body, status, "
    "is_deleted, is_featured, upvotes, downvotes, score, created_at FROM comments_comment "
    "ORDER BY id",
    "votes": "SELECT id, comment_id, user_id, voter_key, value FROM comments_vote ORDER BY id",
    "history": "SELECT id, comment_id, article_id, actor_id, action, from_status, to_status, "
    "reason, created_at FROM comments_moderationevent ORDER BY id",
}


def url_for(name: str) -> str:
    settings = connection.settings_dict
    host = quote(settings["HOST"] or "", safe="")
    port = f":{settings['PORT']}" if settings["PORT"] else ""
    password = f":{quote(settings['PASSWORD'], safe='')}" if settings["PASSWORD"] else ""
    return f"postgres://{quote(settings['USER'], safe='')}{password}@{host}{port}/{name}"


def read(url: str) -> dict[str, list[tuple]]:
    with psycopg.connect(url) as conn:
        return {name: conn.execute(sql).fetchall() for name, sql in TABLES.items()}


def make(*args: str, database_url: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": database_url}
    return subprocess.run(
        ["make", "--no-print-directory", *args], cwd=ROOT, env=env, capture_output=True,
        text=True, timeout=300,
    )  # fmt: skip


@pytest.fixture
def fresh_database():
    name = f"{connection.settings_dict['NAME']}_restore_{os.getpid()}"
    with psycopg.connect(url_for("postgres"), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    yield url_for(name)
    with psycopg.connect(url_for("postgres"), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.django_db(transaction=True)
def test_a_backup_restores_into_a_fresh_database_with_everything(fresh_database, tmp_path):
    article = make_article(slug="restored")
    make_article(slug="no-comments-yet")
    # A superuser moderates: a transactional test cannot count on the migrated groups.
    moderator = make_user("backup-mod", is_staff=True, is_superuser=True)
    root = make_posted_comment(article, "First thread.")
    reply = make_posted_comment(article, "A reply.", parent=root)
    make_posted_comment(article, "A deeper reply.", parent=reply)
    spam = make_posted_comment(article, "Buy now.")
    make_posted_comment(article, "Second thread.")
    services.vote(comment=root, voter=guest("Voter one"), value=1)
    services.vote(comment=reply, voter=guest("Voter two"), value=-1)
    moderation.moderate(
        comments=Comment.objects.filter(pk=spam.pk), actor=moderator, action="spam",
        reason="advertising",
    )  # fmt: skip
    moderation.set_featured(comments=Comment.objects.filter(pk=root.pk), actor=moderator,
                            featured=True)  # fmt: skip
    original = read(url_for(connection.settings_dict["NAME"]))
    assert len(original["comments"]) == 5 and len(original["votes"]) == 2
    assert {row[4] for row in original["history"]} >= {"posted", "marked_spam", "featured"}

    dump = tmp_path / "site.dump"
    backed_up = make(
        "backup", f"FILE={dump}", database_url=url_for(connection.settings_dict["NAME"])
    )
    assert backed_up.returncode == 0, backed_up.stderr
    assert dump.stat().st_size > 0

    restored = make("restore", f"FILE={dump}", database_url=fresh_database)
    assert restored.returncode == 0, restored.stderr
    assert read(fresh_database) == original
    checked = subprocess.run(
        [sys.executable, "manage.py", "check_comment_trees"], cwd=ROOT, capture_output=True,
        text=True, env={**os.environ, "DATABASE_URL": fresh_database}, timeout=120,
    )  # fmt: skip
    assert checked.stdout.strip() == "All comment trees are valid.", checked.stderr


def test_restore_without_a_file_says_how(tmp_path):
    result = make("restore", database_url="postgres://unused@localhost/none")
    assert result.returncode != 0
    assert "Usage: make restore FILE=" in result.stderr


def test_restore_of_a_missing_file_changes_nothing(tmp_path):
    result = make("restore", f"FILE={tmp_path / 'none.dump'}", database_url="postgres://x@h/db")
    assert result.returncode != 0
    assert "Restore failed, nothing changed: No backup at" in result.stderr
