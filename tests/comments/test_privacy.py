"""Privacy: emails and addresses never reach readers; addresses expire; commenters can be
erased without breaking threads."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from comments.integrity import tree_problems
from comments.models import Comment, Flag, ModerationEvent, Status, Vote
from tests.comments.moderation_support import guest, make_comment_row, member, report
from tests.helpers import make_article, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def article(db):
    return make_article(slug="the-bridge")


def run(command: str, *args, **options) -> str:
    out = StringIO()
    call_command(command, *args, stdout=out, **options)
    return out.getvalue().strip()


# --- Never shown to readers ------------------------------------------------------------------


def test_emails_and_addresses_appear_on_no_reader_page_feed_or_api(client, article):
    author = guest(name="Grace", email="grace.private@example.org", ip="203.0.113.123")
    make_comment_row(article, "A public remark.", author=author)
    user = make_user(email="account.private@example.org")
    make_comment_row(article, "Another remark.", author=member(user, ip="198.51.100.124"))

    for url in [
        article.get_absolute_url(),
        "/api/articles/the-bridge/comments/",
        "/feed/",
        "/",
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        if "comments" in url or url == article.get_absolute_url():
            assert "A public remark." in body, url  # the comments are there...
        for secret in ("grace.private", "account.private", "203.0.113.123", "198.51.100.124"):
            assert secret not in body, (url, secret)  # ...their authors' details are not


# --- purge_addresses -------------------------------------------------------------------------


def _aged(model, pk, days):
    model.objects.filter(pk=pk).update(created_at=timezone.now() - timedelta(days=days))


def test_purge_addresses_erases_addresses_older_than_the_retention_period(article, settings):
    settings.COMMENTS_ADDRESS_RETENTION_DAYS = 90
    old = make_comment_row(article, author=guest(ip="203.0.113.1"))
    recent = make_comment_row(article, author=guest(ip="203.0.113.2"))
    old_flag = report(recent, 1)[0]
    new_flag = report(recent, 1, start=1)[0]
    old_vote = Vote.objects.create(comment=old, voter_key="v1", value=1, ip_address="192.0.2.1")
    new_vote = Vote.objects.create(comment=old, voter_key="v2", value=1, ip_address="192.0.2.2")
    _aged(Comment, old.pk, 91)
    _aged(Flag, old_flag.pk, 91)
    _aged(Vote, old_vote.pk, 91)
    _aged(Comment, recent.pk, 89)

    output = run("purge_addresses")

    assert output == "Erased addresses older than 90 days: 1 comments, 1 reports, 1 votes."
    assert Comment.objects.get(pk=old.pk).ip_address is None
    assert Comment.objects.get(pk=recent.pk).ip_address == "203.0.113.2"
    assert Flag.objects.get(pk=old_flag.pk).ip_address is None
    assert Flag.objects.get(pk=new_flag.pk).ip_address == new_flag.ip_address is not None
    assert Vote.objects.get(pk=old_vote.pk).ip_address is None
    assert Vote.objects.get(pk=new_vote.pk).ip_address == "192.0.2.2"
    assert Comment.objects.get(pk=old.pk).body  # only the address goes


def test_purge_addresses_takes_the_retention_from_the_command_line(article):
    comment = make_comment_row(article)
    _aged(Comment, comment.pk, 8)
    assert run("purge_addresses", "--days", "7", "--dry-run") == (
        "Would erase addresses older than 7 days: 1 comments, 0 reports, 0 votes."
    )
    assert Comment.objects.get(pk=comment.pk).ip_address == "203.0.113.7"
    run("purge_addresses", "--days", "7")
    assert Comment.objects.get(pk=comment.pk).ip_address is None


def test_purge_addresses_refuses_negative_days():
    with pytest.raises(CommandError):
        run("purge_addresses", "--days", "-1")


# --- erase_commenter -------------------------------------------------------------------------


@pytest.fixture
def thread(article):
    """Someone else's comment, the erased guest's reply, and a reply to that."""
    leaving = guest(name="Leaving", email="leaving@example.org", key="leaving-browser")
    opener = make_comment_row(article, "Opening remark.", author=guest(name="Opener"))
    theirs = make_comment_row(article, "My personal story.", parent=opener, author=leaving)
    answer = make_comment_row(article, "Thanks for sharing.", parent=theirs)
    featured = make_comment_row(article, "Another of mine.", author=leaving, is_featured=True)
    return {"leaving": leaving, "opener": opener, "theirs": theirs, "answer": answer,
            "featured": featured}  # fmt: skip


def tree(article) -> list[tuple]:
    return list(
        Comment.objects.filter(article=article)
        .order_by("pk")
        .values_list("pk", "parent_id", "tree_id", "lft", "rght", "level")
    )


def test_erasing_by_email_removes_what_they_wrote_and_keeps_threads_intact(article, thread):
    Vote.objects.create(
        comment=thread["opener"], voter_key=thread["leaving"].key, value=1, ip_address="192.0.2.5"
    )
    Flag.objects.create(
        comment=thread["answer"], reporter_key=thread["leaving"].key, reason="other",
        details="I know this person", ip_address="192.0.2.5",
    )  # fmt: skip
    before = tree(article)

    output = run("erase_commenter", "--email", "LEAVING@example.org", "--noinput")

    assert output == "Erased: 2 comments, 1 votes, 1 reports, 0 subscriptions."
    assert tree(article) == before
    assert tree_problems(article.pk) == []
    for key in ("theirs", "featured"):
        comment = Comment.objects.get(pk=thread[key].pk)
        assert (comment.body, comment.guest_name, comment.guest_email, comment.author_key) == (
            "",
            "",
            "",
            "",
        )
        assert (comment.ip_address, comment.is_deleted, comment.is_featured) == (None, True, False)
    answer = Comment.objects.get(pk=thread["answer"].pk)
    assert (answer.body, answer.parent_id) == ("Thanks for sharing.", thread["theirs"].pk)
    assert Comment.objects.get(pk=thread["opener"].pk).body == "Opening remark."
    vote = Vote.objects.get()
    assert (vote.value, vote.ip_address, vote.voter_key) == (1, None, f"erased:{vote.pk}")
    flag = Flag.objects.get()
    assert (flag.details, flag.ip_address, flag.reporter_key) == ("", None, f"erased:{flag.pk}")
    article.refresh_from_db()
    assert article.comment_count == 2
    assert ModerationEvent.objects.filter(action="erased").count() == 2


def test_erasing_an_account_covers_its_comments_votes_and_reports(article):
    user = make_user("leaving-user", email="acct@example.org")
    comment = make_comment_row(article, "Signed in remark.", author=member(user))
    other = make_comment_row(article, "Someone else.")
    Vote.objects.create(comment=other, user=user, value=-1)
    Flag.objects.create(comment=other, user=user, reporter_key=f"user:{user.pk}", reason="spam")

    output = run("erase_commenter", "--user", "leaving-user", "--noinput")

    assert output == "Erased: 1 comments, 1 votes, 1 reports, 0 subscriptions."
    comment.refresh_from_db()
    assert (comment.user, comment.body, comment.is_deleted) == (None, "", True)
    assert Vote.objects.get().user is None
    assert Flag.objects.get().user is None
    assert Vote.objects.get().value == -1  # still counted, no longer theirs
    assert Comment.objects.get(pk=other.pk).body == "Someone else."


def test_erasing_by_email_also_covers_accounts_with_that_email(article):
    user = make_user(email="both@example.org")
    make_comment_row(article, "As a member.", author=member(user))
    make_comment_row(article, "As a guest.", author=guest(email="both@example.org"))
    assert run("erase_commenter", "--email", "both@example.org", "--noinput") == (
        "Erased: 2 comments, 0 votes, 0 reports, 0 subscriptions."
    )
    assert set(Comment.objects.values_list("body", flat=True)) == {""}


def test_anonymising_keeps_the_text_but_not_the_person(article, thread):
    run("erase_commenter", "--email", "leaving@example.org", "--keep-text", "--noinput")
    comment = Comment.objects.get(pk=thread["theirs"].pk)
    assert (comment.body, comment.guest_name, comment.guest_email, comment.ip_address) == (
        "My personal story.",
        "Anonymous",
        "",
        None,
    )
    assert (comment.is_deleted, comment.status) == (False, Status.APPROVED)


def test_dry_run_changes_nothing(article, thread):
    assert run("erase_commenter", "--email", "leaving@example.org", "--dry-run") == (
        "Would erase: 2 comments, 0 votes, 0 reports, 0 subscriptions."
    )
    assert Comment.objects.get(pk=thread["theirs"].pk).body == "My personal story."


def test_erasure_asks_for_confirmation(article, thread, monkeypatch):
    monkeypatch.setattr("builtins.input", lambda prompt: "no")
    with pytest.raises(CommandError, match=r"Erasure cancelled\."):
        run("erase_commenter", "--email", "leaving@example.org")
    assert Comment.objects.get(pk=thread["theirs"].pk).body == "My personal story."


def test_erasure_needs_someone_to_erase():
    with pytest.raises(CommandError, match="Give --email or --user"):
        run("erase_commenter", "--noinput")
    with pytest.raises(CommandError, match="No account 'nobody'"):
        run("erase_commenter", "--user", "nobody", "--noinput")
