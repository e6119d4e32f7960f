from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test.utils import override_settings

from articles.models import Article, Author, Section, Tag
from comments import tree
from comments.integrity import tree_problems
from comments.models import Comment, Status

# One worker loads the demo once for the module (see _demo_loaded): the module is one unit of
# work for xdist (tests/scheduling.py).
pytestmark = pytest.mark.django_db


def counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count() for model in (Article, Author, Section, Tag, Comment)
    }


@pytest.fixture(scope="module")
def _demo_loaded(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo loaded once into the empty test database for this module's tests (painting its
    pictures is most of a load's cost), and rolled back after them, as ``setUpTestData`` does.
    Each test still runs in a transaction of its own inside this one."""
    media = tmp_path_factory.mktemp("demo-media")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media), transaction.atomic():
        call_command("demo", stdout=StringIO())
        try:
            yield media
        finally:
            transaction.set_rollback(True)


@pytest.fixture
def demo_site(_demo_loaded, settings):
    settings.MEDIA_ROOT = _demo_loaded  # where the demo's pictures are


def test_demo_fills_an_empty_site_and_running_it_twice_changes_nothing(demo_site):
    first = counts()
    assert first["Article"] == 12
    assert Article.objects.published().count() == 10
    assert first["Comment"] > 20
    call_command("demo", stdout=StringIO())
    assert counts() == first
    assert tree_problems() == []
    # Threads have room, as if posted on the site: a reader's first reply moves nothing.
    roots = Comment.objects.filter(parent=None).values_list("lft", "rght")
    assert set(roots) == {(tree.ROOT_LEFT, tree.ROOT_RIGHT)}


def test_demo_discussions_show_every_kind_of_comment(demo_site):
    assert Comment.objects.filter(level__gte=4).exists()  # several levels deep
    assert Comment.objects.filter(edited_at__isnull=False).exists()
    deleted = Comment.objects.get(is_deleted=True)
    assert deleted.get_descendant_count() > 0
    assert Comment.objects.filter(status=Status.PENDING).exists()
    assert Comment.objects.filter(status=Status.SPAM).exists()
    assert Comment.objects.filter(flag_count__gt=0).exists()
    assert Comment.objects.filter(score__gt=5).exists()
    for article in Article.objects.filter(comment_count__gt=0):
        assert article.comment_count == Comment.objects.filter(article=article).visible().count()


def test_local_accounts_creates_the_editor_once(settings):
    settings.DEBUG = True
    out = StringIO()
    call_command("local_accounts", stdout=out)
    call_command("local_accounts", stdout=StringIO())
    editor = User.objects.get(username="editor")
    assert editor.is_staff and editor.groups.filter(name="Editors").exists()
    assert editor.check_password("editor-local-only")
    assert "editor / editor-local-only" in out.getvalue()


def test_local_accounts_refuses_outside_development(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("local_accounts", stdout=StringIO())
    assert not User.objects.filter(username="editor").exists()
