"""export_comments and import_comments: one documented JSON format, out and back in."""

from __future__ import annotations

import json
from dataclasses import replace
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from comments import services, transfer
from comments.integrity import tree_problems
from comments.models import Comment
from tests.comments.helpers import guest, make_posted_comment, member
from tests.helpers import built_for_module, make_article, make_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reader_settings")]


@pytest.fixture(scope="module")
def _site_built(django_db_setup, django_db_blocker):
    """The site, built once for the module's tests (``built_for_module``)."""
    with built_for_module(django_db_blocker, build_site) as built:
        yield built


@pytest.fixture
def site(_site_built, db):
    return _site_built


def build_site():
    """Two articles with threads: replies at depth, a member, votes, a held comment, a
    deleted comment kept as a placeholder, an editor's pick."""
    first = make_article(slug="bridge")
    second = make_article(slug="budget")
    ada = guest("Ada Lovelace", email="ada@example.org")
    grace = make_user("grace", email="grace@example.org")
    root = make_posted_comment(first, "The bridge is late. ✓", author=ada)
    reply = make_posted_comment(first, "It is on time.", parent=root, author=member(grace))
    make_posted_comment(first, "Source?\n\n> It is on time.", parent=reply)
    gone = make_posted_comment(first, "Removed later.", parent=root)
    make_posted_comment(first, "Reply to a deleted one.", parent=gone)
    Comment.objects.filter(pk=gone.pk).update(is_deleted=True)
    make_posted_comment(first, "Held for a moderator.", status=Comment.Status.PENDING)
    make_posted_comment(first, "Picked.", is_featured=True)
    make_posted_comment(first, "On the opening.", passage=1, quote="First paragraph.")
    make_posted_comment(second, "Budget thoughts.")
    # Guests vote once per comment per address: each voter from a network of their own.
    services.vote(comment=root, voter=replace(guest("Voter"), ip="198.51.100.1"), value=1)
    services.vote(comment=root, voter=replace(guest("Other"), ip="198.51.100.2"), value=-1)
    services.vote(comment=reply, voter=replace(guest("Third"), ip="198.51.100.3"), value=1)
    # Statuses above were written straight to the rows: count them as the services would (a
    # post adds one to the count rather than recounting the whole discussion).
    for article in (first, second):
        Comment.objects.recount(article.pk)
    return first, second


def snapshot() -> list[tuple]:
    return list(
        Comment.objects.order_by("pk").values_list(
            "pk", "article__slug", "parent_id", "body", "status", "is_deleted", "is_featured",
            "created_at", "edited_at", "upvotes", "downvotes", "score", "level", "user_id",
            "guest_name", "passage", "quote",
        )
    )  # fmt: skip


def export(*args: str) -> tuple[dict, str]:
    out, err = StringIO(), StringIO()
    call_command("export_comments", *args, stdout=out, stderr=err)
    return json.loads(out.getvalue()), err.getvalue()


def test_export_of_one_article_lists_its_tree_without_emails(site):
    first, _ = site
    document, _ = export("--article", "bridge")
    assert document["format"] == "newsroom-comments" and document["version"] == 1
    [article] = document["articles"]
    assert article["slug"] == "bridge"
    rows = article["comments"]
    assert [r["id"] for r in rows] == list(
        Comment.objects.filter(article=first)
        .order_by("tree_id", "lft")
        .values_list("pk", flat=True)
    )
    root = rows[0]
    assert root["parent_id"] is None
    assert root["author"] == {"name": "Ada Lovelace", "username": None}
    assert root["body"] == "The bridge is late. ✓"
    assert root["votes"] == {"up": 1, "down": 1}
    assert root["status"] == "approved"
    assert rows[1]["parent_id"] == root["id"]
    assert rows[1]["author"] == {"name": "grace", "username": "grace"}
    assert "example.org" not in json.dumps(document)
    assert {r["status"] for r in rows} == {"approved", "pending"}
    assert any(r["is_deleted"] for r in rows) and any(r["is_featured"] for r in rows)
    assert [r["passage"] for r in rows if r["passage"]] == [
        {"paragraph": 1, "quote": "First paragraph."}
    ]


def test_emails_are_exported_only_when_asked(site):
    document, _ = export("--article", "bridge", "--with-emails")
    emails = {r["author"]["email"] for r in document["articles"][0]["comments"]}
    assert {"ada@example.org", "grace@example.org"} <= emails


def test_unknown_article_is_a_clear_error(site):
    with pytest.raises(CommandError, match="No article with the slug 'nope'"):
        export("--article", "nope")


def test_import_into_an_empty_site_rebuilds_the_same_trees_once(site, tmp_path):
    before = snapshot()
    for article in site:
        article.refresh_from_db()
    counts = {article.slug: article.comment_count for article in site}
    path = tmp_path / "comments.json"
    call_command("export_comments", "--output", str(path), stdout=StringIO(), stderr=StringIO())
    Comment.objects.all().delete()
    assert Comment.objects.count() == 0

    out = StringIO()
    call_command("import_comments", str(path), stdout=out, stderr=StringIO())
    assert out.getvalue().strip() == f"{len(before)} comments imported, 0 already here."
    assert snapshot() == before
    assert tree_problems() == []
    for article in site:
        article.refresh_from_db()
        assert article.comment_count == counts[article.slug]

    out = StringIO()
    call_command("import_comments", str(path), stdout=out, stderr=StringIO())
    assert out.getvalue().strip() == f"0 comments imported, {len(before)} already here."
    assert snapshot() == before
    # New comments get fresh ids after the imported ones.
    fresh = make_posted_comment(site[0], "After the import.")
    assert fresh.pk > max(row[0] for row in before)
    assert tree_problems() == []


def test_import_refuses_a_file_for_articles_this_site_lacks(site, tmp_path):
    document, _ = export()
    document["articles"][0]["slug"] = "not-here"
    path = tmp_path / "c.json"
    path.write_text(json.dumps(document))
    Comment.objects.all().delete()
    with pytest.raises(CommandError, match=r"not on this site.*not-here"):
        call_command("import_comments", str(path), stdout=StringIO(), stderr=StringIO())
    assert Comment.objects.count() == 0


@pytest.mark.parametrize(
    "content, message",
    [
        ("not json", "Cannot read"),
        ('{"format": "other"}', "not a newsroom-comments file"),
        ('{"format": "newsroom-comments", "version": 9}', "Unsupported version"),
        (
            '{"format": "newsroom-comments", "version": 1, "articles": [{"slug": "a", '
            '"comments": [{"id": "x"}]}]}',
            "not on this site",
        ),
    ],
)
def test_import_refuses_what_is_not_an_export(db, tmp_path, content, message):
    path = tmp_path / "c.json"
    path.write_text(content)
    with pytest.raises(CommandError, match=message):
        call_command("import_comments", str(path), stdout=StringIO(), stderr=StringIO())


@pytest.mark.parametrize(
    "change",
    [
        {"id": "seven"},
        {"body": "NUL \x00 inside"},
        {"body": "lone \ud800 surrogate"},
        {"votes": {"up": -1, "down": 0}},
        {"author": "someone"},
        {"status": "published"},
        {"created_at": "yesterday"},
        {"created_at": "2026-02-30T10:00:00+00:00"},
        {"created_at": "1066-10-14T10:00:00+00:00"},
        {"created_at": "9999-12-31T23:59:59+00:00"},
        {"edited_at": "2026-13-01T10:00:00"},
        {"id": 2**63 - 1},
        {"id": 2**53 + 1},
        {"parent_id": 999999},
        {"passage": {"paragraph": 0, "quote": "First paragraph."}},
        {"passage": {"paragraph": 1, "quote": ""}},
        {"passage": "the first one"},
    ],
)
def test_import_refuses_a_damaged_comment_and_writes_nothing(site, tmp_path, change):
    document, _ = export()
    document["articles"][0]["comments"][-1].update(change)
    assert_refused_whole(document, tmp_path)


def assert_refused_whole(document: dict, tmp_path) -> None:
    path = tmp_path / "c.json"
    path.write_text(json.dumps(document))
    Comment.objects.all().delete()
    with pytest.raises(CommandError, match="Nothing imported"):
        call_command("import_comments", str(path), stdout=StringIO(), stderr=StringIO())
    assert Comment.objects.count() == 0


def test_both_commands_show_progress(site, tmp_path, monkeypatch):
    monkeypatch.setattr(transfer, "CHUNK", 3)
    total = Comment.objects.count()
    path = tmp_path / "c.json"
    err = StringIO()
    call_command("export_comments", "-o", str(path), stdout=StringIO(), stderr=err)
    assert total == 9
    assert err.getvalue().splitlines() == [
        "Exported 3 of 9 comments",
        "Exported 6 of 9 comments",
        "Exported 9 of 9 comments",
    ]
    Comment.objects.all().delete()
    err = StringIO()
    call_command("import_comments", str(path), stdout=StringIO(), stderr=err)
    assert "Imported 3 of 9 comments" in err.getvalue().splitlines()
    assert err.getvalue().splitlines()[-1] == "Imported 9 of 9 comments"


def test_import_refuses_a_reply_on_a_passage_and_writes_nothing(site, tmp_path):
    document, _ = export()
    rows = document["articles"][0]["comments"]
    reply = next(row for row in rows if row["parent_id"] is not None)
    reply["passage"] = {"paragraph": 1, "quote": "First paragraph."}
    assert_refused_whole(document, tmp_path)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"id": 2**63 - 1}, "ids must be at most 9007199254740992"),
        ({"created_at": "2026-02-30T10:00:00+00:00"}, "no valid created_at"),
        ({"edited_at": "2026-02-30T10:00:00+00:00"}, "edited_at is not a valid time"),
    ],
)
def test_an_id_that_would_exhaust_the_sequence_or_an_impossible_date_is_named(
    site, tmp_path, change, message
):
    document, _ = export()
    document["articles"][0]["comments"][-1].update(change)
    path = tmp_path / "c.json"
    path.write_text(json.dumps(document))
    Comment.objects.all().delete()
    with pytest.raises(CommandError, match=message):
        call_command("import_comments", str(path), stdout=StringIO(), stderr=StringIO())
    assert Comment.objects.count() == 0
    # The sequence was not moved: the next comment gets an ordinary id.
    first, _ = site
    assert make_posted_comment(first, "After the refusal.").pk < 2**53
