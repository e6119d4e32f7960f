"""Concurrent posting into one thread against real PostgreSQL leaves every tree valid."""

import random
import threading

import pytest
from django.db import connections

from comments import services, tree
from comments.domain import Commenter
from comments.integrity import tree_problems
from comments.models import Comment
from tests.helpers import make_article

WORKERS = 20
POSTS_EACH = 11  # 220 comments, plus the thread's first one


@pytest.mark.django_db(transaction=True)
def test_concurrent_replies_and_new_threads_keep_every_tree_valid(settings):
    post_concurrently(settings)


@pytest.mark.django_db(transaction=True)
def test_concurrent_replies_that_must_spread_labels_out_keep_every_tree_valid(
    settings, monkeypatch
):
    # 2**12 labels for 220 comments: most replies run out of room and relabel their neighbours.
    monkeypatch.setattr(tree, "ROOT_RIGHT", 2**12)
    post_concurrently(settings)


def post_concurrently(settings) -> None:
    settings.COMMENTS_RATE_LIMITS = ""  # 20 posters from one process: measure the tree only
    article = make_article()
    first = services.post_comment(
        article=article, parent=None, author=Commenter(name="Opener", email="o@example.org"),
        body="Start of the thread",
    )  # fmt: skip
    barrier = threading.Barrier(WORKERS)
    acknowledged: list[int] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def worker(number: int) -> None:
        rng = random.Random(number)
        author = Commenter(name=f"Poster {number}", email=f"p{number}@example.org")
        try:
            barrier.wait()
            for i in range(POSTS_EACH):
                if rng.random() < 0.25:
                    parent = None  # a new top-level thread
                else:
                    # A reply at a random depth of the first thread.
                    ids = list(
                        Comment.objects.filter(tree_id=first.tree_id).values_list("pk", flat=True)
                    )
                    parent = Comment.objects.get(pk=rng.choice(ids))
                comment = services.post_comment(
                    article=article, parent=parent, author=author, body=f"{number}-{i}"
                )
                with lock:
                    acknowledged.append(comment.pk)
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert len(acknowledged) == WORKERS * POSTS_EACH
    stored = set(Comment.objects.filter(article=article).values_list("pk", flat=True))
    assert stored == set(acknowledged) | {first.pk}
    bodies = list(Comment.objects.exclude(pk=first.pk).values_list("body", flat=True))
    assert len(bodies) == len(set(bodies)) == WORKERS * POSTS_EACH  # each once
    assert tree_problems() == []
    article.refresh_from_db()
    assert article.comment_count == WORKERS * POSTS_EACH + 1  # no lost update of the count
    roots = Comment.objects.filter(level=0)
    assert roots.values("tree_id").distinct().count() == roots.count()
    assert Comment.objects.filter(tree_id=first.tree_id).count() > WORKERS * POSTS_EACH // 2


@pytest.mark.django_db
def test_tree_checker_reports_a_broken_tree():
    article = make_article()
    root = services.post_comment(
        article=article, parent=None, author=Commenter(name="A", email="a@example.org"), body="x"
    )
    services.post_comment(
        article=article, parent=root, author=Commenter(name="B", email="b@example.org"), body="y"
    )
    assert tree_problems() == []
    Comment.objects.filter(pk=root.pk).update(rght=3)
    assert tree_problems() != []


@pytest.mark.django_db
def test_check_comment_trees_command_says_whether_trees_are_sound():
    from io import StringIO

    from django.core.management import CommandError, call_command

    article = make_article()
    root = services.post_comment(
        article=article, parent=None, author=Commenter(name="A", email="a@example.org"), body="x"
    )
    out = StringIO()
    call_command("check_comment_trees", stdout=out)
    assert out.getvalue().strip() == "All comment trees are valid."
    Comment.objects.filter(pk=root.pk).update(lft=5)
    with pytest.raises(CommandError, match="problems found"):
        call_command("check_comment_trees", stdout=StringIO(), stderr=StringIO())


@pytest.mark.django_db(transaction=True)
def test_four_identical_posts_at_once_store_one(settings):
    settings.COMMENTS_RATE_LIMITS = ""
    settings.COMMENTS_DUPLICATE_WINDOW = 300
    settings.COMMENTS_SPAM_CHECKER = ""
    settings.COMMENTS_PREMODERATE = False
    settings.COMMENTS_PREMODERATE_FIRST_TIMERS = False
    article = make_article()
    # Four threads of others: the four posts reply into different ones, so no thread lock
    # serialises them.
    parents = [
        services.post_comment(
            article=article,
            parent=None,
            author=Commenter(name=f"O{n}", email=f"o{n}@example.org"),
            body=f"Thread {n}",
        )
        for n in range(4)
    ]
    author = Commenter(name="Repeater", email="r@example.org", browser_key="one-browser")
    barrier = threading.Barrier(4)
    outcomes: list[str] = []
    lock = threading.Lock()

    def worker(parent) -> None:
        try:
            barrier.wait()
            services.post_comment(
                article=article, parent=parent, author=author, body="Same words, sent four times."
            )
            outcome = "posted"
        except services.CommentRefused as refusal:
            outcome = refusal.code
        finally:
            connections.close_all()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=worker, args=(parent,)) for parent in parents]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["duplicate"] * 3 + ["posted"]
    assert Comment.objects.filter(body="Same words, sent four times.").count() == 1
