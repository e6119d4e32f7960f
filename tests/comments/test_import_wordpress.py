"""import_wordpress: a WordPress export (WXR) becomes articles, threads and redirects."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from articles.models import Article, Author, OldPermalink, Section, Tag
from comments.integrity import tree_problems
from comments.models import Comment, ImportedRecord
from tests.comments.exports import (
    BILLION_LAUGHS,
    EXTERNAL_ENTITY,
    wxr,
    wxr_comment,
    wxr_item,
)
from tests.helpers import make_article, make_user

pytestmark = pytest.mark.django_db


def archive() -> str:
    """Two posts, a page, an attachment and a draft; a thread with nested replies, an orphan,
    held, spam and trashed comments, a pingback, HTML and a script, non-ASCII text."""
    bridge_comments = (
        wxr_comment(1, "<p>The bridge is <b>late</b>.</p><script>alert(1)</script>", name="Zoë"),
        wxr_comment(2, "It is on time.", parent=1, email="grace@example.org"),
        wxr_comment(3, "Source?\n\n<blockquote>It is on time.</blockquote>", parent=2),
        wxr_comment(4, "Lost parent.", parent=99),
        wxr_comment(5, "Held for review.", approved="0"),
        wxr_comment(6, "Buy pills", approved="spam"),
        wxr_comment(7, "Binned.", approved="trash"),
        wxr_comment(8, "A link to us.", kind="pingback"),
        wxr_comment(9, "Ölçü\u200b soon — ça va? 東京", name="Ren\u202e"),
    )
    return wxr(
        wxr_item(
            10,
            "Bridge &amp; tunnel: works run late",
            slug="bridge-works",
            content=(
                "<p>The <strong>bridge</strong> closes.</p>\n\n"
                '[caption id="x"]<p>Photo.</p>[/caption]<script>steal()</script>'
                '<p onclick="x()">Second <a href="javascript:evil()">link</a>.</p>'
            ),
            excerpt="Works on the bridge overrun.",
            tags=(("roads", "Roads"),),
            comments=bridge_comments,
        ),
        wxr_item(11, "Council budget", slug="budget", status="draft", date="0000-00-00 00:00:00"),
        wxr_item(12, "About us", post_type="page"),
        wxr_item(13, "photo.jpg", post_type="attachment"),
    )


def run(path, *args: str) -> str:
    out = StringIO()
    call_command("import_wordpress", str(path), *args, stdout=out, stderr=StringIO())
    return out.getvalue()


@pytest.fixture
def export_file(tmp_path):
    path = tmp_path / "wordpress.xml"
    path.write_text(archive(), encoding="utf-8")
    return path


def test_posts_become_articles_through_the_sanitising_pipeline(export_file):
    run(export_file)
    bridge = Article.objects.get(slug="bridge-works")
    assert bridge.headline == "Bridge & tunnel: works run late"
    assert bridge.standfirst == "Works on the bridge overrun."
    assert bridge.status == Article.Status.PUBLISHED and bridge.is_published()
    assert bridge.section == Section.objects.get(slug="local-news")
    assert list(bridge.tags.values_list("slug", flat=True)) == ["roads"]
    assert [a.name for a in bridge.authors.all()] == ["Ada Quill"]
    assert Author.objects.get(name="Ada Quill").user is None
    for unsafe in ("<script", "steal()", "onclick", "javascript:", "[caption"):
        assert unsafe not in bridge.body and unsafe not in bridge.body_html
    assert '<p id="para-1">The <strong>bridge</strong> closes.</p>' in bridge.body_html
    draft = Article.objects.get(slug="budget")
    assert draft.status == Article.Status.DRAFT and not draft.is_published()
    assert Article.objects.count() == 2  # the page and the attachment are skipped
    assert Tag.objects.count() == 1


def test_comments_keep_their_threads_statuses_and_are_checked_like_posted_text(export_file):
    output = run(export_file)
    bridge = Article.objects.get(slug="bridge-works")
    comments = {c.body: c for c in Comment.objects.filter(article=bridge)}
    assert set(comments) == {
        "The bridge is late.",
        "It is on time.",
        "Source?\n\n> It is on time.",
        "Lost parent.",
        "Held for review.",
        "Buy pills",
        "Binned.",
        "Ölçü soon — ça va? 東京",  # the zero-width space is gone, the rest as written
    }
    first = comments["The bridge is late."]
    assert first.guest_name == "Zoë" and first.parent is None
    assert comments["It is on time."].parent == first
    assert comments["Source?\n\n> It is on time."].parent == comments["It is on time."]
    assert comments["Source?\n\n> It is on time."].level == 2
    assert comments["Lost parent."].parent is None  # an orphan starts a thread
    assert comments["Held for review."].status == Comment.Status.PENDING
    assert comments["Buy pills"].status == Comment.Status.SPAM
    assert comments["Binned."].status == Comment.Status.REMOVED
    assert comments["Ölçü soon — ça va? 東京"].guest_name == "Ren"  # no right-to-left override
    assert comments["The bridge is late."].status == Comment.Status.APPROVED
    assert tree_problems() == []
    bridge.refresh_from_db()
    assert bridge.comment_count == 5  # approved and not deleted
    assert "Comments: 8 created, 0 updated, 0 unchanged, 0 refused." in output
    assert "1 replies whose parent is missing were attached as new threads." in output
    assert "Skipped: 1 attachments, 1 pages, 1 pingbacks." in output


def test_commenters_are_guests_or_matching_readers_never_staff(tmp_path):
    reader = make_user("grace", email="grace@example.org")
    make_user("boss", email="boss@example.org", is_staff=True)
    path = tmp_path / "w.xml"
    path.write_text(
        wxr(
            wxr_item(
                1,
                "One",
                comments=(
                    wxr_comment(1, "From a reader.", email="GRACE@example.org"),
                    wxr_comment(2, "From staff's address.", email="boss@example.org"),
                ),
            )
        )
    )
    users_before = set(make_user.__globals__["User"].objects.values_list("pk", flat=True))
    run(path)
    by_reader = Comment.objects.get(body="From a reader.")
    assert by_reader.user == reader and by_reader.guest_email == ""
    by_staff_address = Comment.objects.get(body="From staff's address.")
    assert by_staff_address.user is None and by_staff_address.guest_email == "boss@example.org"
    assert set(make_user.__globals__["User"].objects.values_list("pk", flat=True)) == users_before


def test_old_permalinks_answer_with_a_301_to_the_new_address(export_file, client):
    run(export_file)
    response = client.get("/2019/05/bridge-works/")
    assert response.status_code == 301
    assert response["Location"] == "/articles/bridge-works/"
    assert client.get("/2019/05/bridge-works").status_code == 301  # without the slash too
    assert client.get("/2019/05/no-such-post/").status_code == 404
    assert OldPermalink.objects.count() == 2


def test_a_second_import_changes_nothing(export_file):
    run(export_file)
    counts = (
        Article.objects.count(),
        Comment.objects.count(),
        ImportedRecord.objects.count(),
        OldPermalink.objects.count(),
        Section.objects.count(),
        Tag.objects.count(),
        Author.objects.count(),
    )
    snapshot = list(Comment.objects.order_by("pk").values_list("pk", "body", "status", "lft"))
    output = run(export_file)
    assert "Articles: 0 created, 0 updated, 2 unchanged." in output
    assert "Comments: 0 created, 0 updated, 8 unchanged, 0 refused." in output
    assert (
        Article.objects.count(),
        Comment.objects.count(),
        ImportedRecord.objects.count(),
        OldPermalink.objects.count(),
        Section.objects.count(),
        Tag.objects.count(),
        Author.objects.count(),
    ) == counts
    assert list(Comment.objects.order_by("pk").values_list("pk", "body", "status", "lft")) == (
        snapshot
    )


def test_a_changed_file_updates_and_adds_replies_without_duplicating(export_file, tmp_path):
    run(export_file)
    changed = (
        archive()
        .replace("Held for review.", "Held, then edited.")
        .replace(
            "</wp:comment>\n  </item>",
            "</wp:comment>" + wxr_comment(50, "A late reply.", parent=2) + "\n  </item>",
            1,
        )
    )
    path = tmp_path / "changed.xml"
    path.write_text(changed)
    output = run(path)
    assert "Comments: 1 created, 1 updated, 7 unchanged, 0 refused." in output
    reply = Comment.objects.get(body="A late reply.")
    assert reply.parent.body == "It is on time."
    assert Comment.objects.filter(body="Held, then edited.").count() == 1
    assert tree_problems() == []


def test_dry_run_writes_nothing(export_file):
    output = run(export_file, "--dry-run")
    assert output.splitlines()[0] == "Dry run: nothing was written."
    assert "Comments: 8 created" in output
    assert Article.objects.count() == Comment.objects.count() == ImportedRecord.objects.count() == 0


def test_a_broken_post_is_skipped_and_reported_the_rest_imported(tmp_path):
    path = tmp_path / "w.xml"
    path.write_text(
        wxr(
            wxr_item(1, "Impossible date", date="2026-02-30 10:00:00"),
            wxr_item(2, "Fine", comments=(wxr_comment(1, "Hello."),)),
        )
    )
    output = run(path)
    assert "Post 1 skipped: impossible or out-of-range date '2026-02-30 10:00:00'" in output
    assert list(Article.objects.values_list("headline", flat=True)) == ["Fine"]
    with pytest.raises(CommandError, match="Nothing imported"):
        Article.objects.all().delete()
        run(path, "--strict")
    assert Article.objects.count() == 0


def test_a_truncated_file_keeps_what_came_before_and_says_where_it_broke(tmp_path):
    text = wxr(wxr_item(1, "Whole"), wxr_item(2, "Cut short"))
    path = tmp_path / "w.xml"
    path.write_text(text[: text.index("Cut short") + 5])
    with pytest.raises(CommandError, match="broken or ends early"):
        run(path)
    assert list(Article.objects.values_list("headline", flat=True)) == ["Whole"]
    Article.objects.all().delete()
    with pytest.raises(CommandError, match="Nothing imported"):
        run(path, "--strict")
    assert Article.objects.count() == 0


@pytest.mark.parametrize("content", [BILLION_LAUGHS, EXTERNAL_ENTITY])
def test_entity_expansion_and_external_entities_are_refused(tmp_path, content):
    path = tmp_path / "w.xml"
    path.write_text(content)
    with pytest.raises(CommandError, match="declares entities or external references"):
        run(path)
    assert Article.objects.count() == 0


def test_an_existing_slug_is_not_taken_over(tmp_path):
    mine = make_article(slug="bridge-works", headline="Our own story")
    path = tmp_path / "w.xml"
    path.write_text(wxr(wxr_item(1, "Imported", slug="bridge-works")))
    run(path)
    mine.refresh_from_db()
    assert mine.headline == "Our own story"
    assert Article.objects.get(headline="Imported").slug == "bridge-works-2"


def test_the_progress_bar_and_a_missing_file(tmp_path, export_file):
    err = StringIO()
    call_command("import_wordpress", str(export_file), stdout=StringIO(), stderr=err)
    assert err.getvalue().splitlines()[-1] == f"[{'#' * 30}] 100% reading"
    with pytest.raises(CommandError, match="No such file"):
        run(tmp_path / "missing.xml")


def test_an_archive_reaching_back_before_the_web_keeps_its_dates(tmp_path):
    path = tmp_path / "w.xml"
    path.write_text(
        wxr(
            wxr_item(
                1,
                "Moon landing",
                date="1969-07-21 02:56:00",
                comments=(wxr_comment(1, "Too old for a comment.", date="1969-07-21 03:00:00"),),
            )
        )
    )
    output = run(path)
    assert Article.objects.get().published_at.year == 1969
    assert Comment.objects.count() == 0
    assert "Comment 1 on post 1 refused: impossible or out-of-range date" in output


@pytest.mark.parametrize("path", ["/2019/05/x/?q=%00", "/2019/%00/x/", "/" + "a" * 600 + "/"])
def test_an_odd_address_is_a_plain_404(client, path):
    assert client.get(path).status_code == 404


def test_a_post_changed_in_the_file_updates_its_article_in_place(export_file, tmp_path):
    run(export_file)
    bridge = Article.objects.get(slug="bridge-works")
    path = tmp_path / "changed.xml"
    path.write_text(archive().replace("works run late", "works finish"))
    output = run(path)
    assert "Articles: 0 created, 1 updated, 1 unchanged." in output
    bridge.refresh_from_db()
    assert bridge.headline == "Bridge & tunnel: works finish" and bridge.slug == "bridge-works"
    assert Article.objects.count() == 2
