"""import_disqus: a Disqus export's threads matched to articles, posts threaded."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from articles.models import OldPermalink
from comments.integrity import tree_problems
from comments.models import Comment, ImportedRecord
from tests.comments.exports import (
    BILLION_LAUGHS,
    EXTERNAL_ENTITY,
    disqus,
    disqus_post,
    disqus_thread,
)
from tests.helpers import make_article, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def articles():
    bridge = make_article(slug="bridge-works", headline="Bridge works")
    budget = make_article(slug="budget", headline="Budget")
    ferry = make_article(slug="ferry", headline="Ferry")
    OldPermalink.objects.create(path="/2019/05/budget-day/", article=budget)
    return bridge, budget, ferry


def forum() -> str:
    """Threads matched by this site's address, by an old permalink, by the mapping file and
    not at all; a reply listed before its parent, one whose parent is gone, deleted and spam
    posts, HTML with a script, non-ASCII names."""
    return disqus(
        disqus_thread("t1", link="https://news.example.org/articles/bridge-works/"),
        disqus_thread("t2", link="https://old.example.org/2019/05/budget-day", identifier="42"),
        disqus_thread("t3", link="https://old.example.org/ferry-story/", identifier="ferry-x"),
        disqus_thread("t4", link="https://old.example.org/lost/", title="Lost story"),
        disqus_post("p2", "t1", "A reply listed first.", parent="p1", date="2019-05-03T12:00:00Z"),
        disqus_post(
            "p1", "t1", "<p>First <i>thoughts</i></p><script>alert(1)</script>", name="Søren"
        ),
        disqus_post("p3", "t1", "Its parent is gone.", parent="p404"),
        disqus_post("p4", "t1", "Withdrawn.", deleted=True),
        disqus_post("p5", "t1", "Cheap watches", spam=True),
        disqus_post("p6", "t2", "On the budget.", email="grace@example.org"),
        disqus_post("p7", "t3", "On the ferry."),
        disqus_post("p8", "t4", "Nobody will read this."),
        disqus_post("p9", "t1", "\x7f delete"),
    )


def run(path, *args: str) -> str:
    out = StringIO()
    call_command("import_disqus", str(path), *args, stdout=out, stderr=StringIO())
    return out.getvalue()


@pytest.fixture
def files(tmp_path):
    export = tmp_path / "disqus.xml"
    export.write_text(forum(), encoding="utf-8")
    mapping = tmp_path / "map.csv"
    mapping.write_text("thread,article\nferry-x,ferry\n", encoding="utf-8")
    return export, mapping


def test_threads_are_matched_and_posts_threaded(articles, files):
    bridge, budget, ferry = articles
    reader = make_user("grace", email="grace@example.org")
    export, mapping = files
    output = run(export, "--map", str(mapping))
    on_bridge = {c.body: c for c in Comment.objects.filter(article=bridge)}
    assert set(on_bridge) == {
        "First thoughts",
        "A reply listed first.",
        "Its parent is gone.",
        "Withdrawn.",
        "Cheap watches",
    }
    first = on_bridge["First thoughts"]
    assert first.guest_name == "Søren" and first.parent is None
    assert on_bridge["A reply listed first."].parent == first
    assert on_bridge["Its parent is gone."].parent is None
    assert on_bridge["Withdrawn."].is_deleted
    assert on_bridge["Cheap watches"].status == Comment.Status.SPAM
    on_budget = Comment.objects.get(article=budget)
    assert on_budget.body == "On the budget." and on_budget.user == reader
    assert Comment.objects.get(article=ferry).body == "On the ferry."
    assert not Comment.objects.filter(body="Nobody will read this.").exists()
    assert tree_problems() == []
    assert "Comments: 7 created, 0 updated, 0 unchanged, 1 refused." in output
    assert "Threads that match no article (give them in --map):" in output
    assert "  https://old.example.org/lost/ (Disqus thread t4, 1 comments)" in output
    assert "1 replies whose parent is missing were attached as new threads." in output
    assert "control characters" in output  # the refused one says why


def test_a_second_import_changes_nothing(articles, files):
    export, mapping = files
    run(export, "--map", str(mapping))
    before = (Comment.objects.count(), ImportedRecord.objects.count())
    labels = list(Comment.objects.order_by("pk").values_list("pk", "lft", "rght", "status"))
    output = run(export, "--map", str(mapping))
    assert "Comments: 0 created, 0 updated, 7 unchanged, 1 refused." in output
    assert (Comment.objects.count(), ImportedRecord.objects.count()) == before
    assert list(Comment.objects.order_by("pk").values_list("pk", "lft", "rght", "status")) == labels


def test_dry_run_and_strict(articles, files):
    export, mapping = files
    output = run(export, "--dry-run", "--map", str(mapping))
    assert "Dry run: nothing was written." in output
    assert Comment.objects.count() == ImportedRecord.objects.count() == 0
    with pytest.raises(CommandError, match="Nothing imported"):
        run(export, "--strict")  # without the map, two threads match nothing
    assert Comment.objects.count() == 0


def test_a_truncated_file_is_refused_with_its_line(articles, tmp_path):
    text = forum()
    path = tmp_path / "d.xml"
    path.write_text(text[: len(text) // 2])
    with pytest.raises(CommandError, match=r"broken or ends early \(line \d+\)"):
        run(path)


@pytest.mark.parametrize("content", [BILLION_LAUGHS, EXTERNAL_ENTITY])
def test_entity_expansion_and_external_entities_are_refused(db, tmp_path, content):
    path = tmp_path / "d.xml"
    path.write_text(content)
    with pytest.raises(CommandError, match="declares entities or external references"):
        run(path)
    assert Comment.objects.count() == 0


def test_an_unreadable_mapping_file_is_a_clear_error(articles, files, tmp_path):
    export, _ = files
    with pytest.raises(CommandError, match="Cannot read the mapping file"):
        run(export, "--map", str(tmp_path / "nope.csv"))


def test_replies_in_a_cycle_and_escape_sequences_in_links_are_harmless(articles, tmp_path):
    bridge, _, _ = articles
    path = tmp_path / "d.xml"
    path.write_text(
        disqus(
            disqus_thread("t1", link="https://news.example.org/articles/bridge-works/"),
            disqus_thread("t9", link="https://old.example.org/\x9b2J\u202egone/"),
            disqus_post("a", "t1", "Replies to b.", parent="b"),
            disqus_post("b", "t1", "Replies to a.", parent="a"),
            disqus_post("z", "t9", "Unmatched."),
        )
    )
    output = run(path)
    assert Comment.objects.filter(article=bridge).count() == 2
    assert tree_problems() == []
    assert "https://old.example.org/?2J?gone/ (Disqus thread t9, 1 comments)" in output
