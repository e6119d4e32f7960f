"""Readers' own data: download everything held about them, delete the account (emailed
confirmation, grace period), and the same for guests through an emailed link."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from comments.models import Comment, Flag, Vote
from comments.notifications.models import Subscription
from newsroom import own_data, ratelimit
from newsroom.models import AccountDeletion
from tests.comments.moderation_support import guest, make_comment_row, member
from tests.helpers import make_article, make_user

pytestmark = pytest.mark.django_db

LINK = re.compile(r"http://testserver(/accounts/data/[^\s]+/)")


@pytest.fixture(autouse=True)
def _limits(settings):
    settings.OWN_DATA_RATE_LIMITS = "3/hour"
    settings.ACCOUNTS_DELETION_GRACE_DAYS = 14
    settings.ACCOUNTS_DELETION_COMMENTS = "anonymise"
    ratelimit.clear()


@pytest.fixture
def reader_with_history():
    """A reader with a comment, a reply from someone else, a vote, a report and a
    subscription; and a guest under another address."""
    article = make_article(slug="the-bridge", headline="The bridge")
    reader = make_user("grace", email="grace@example.org")
    mine = make_comment_row(article, "My own words.", author=member(reader))
    other = make_comment_row(article, "Someone else's.", author=guest("Ada"))
    make_comment_row(article, "A reply to Grace.", parent=mine, author=guest("Bob"))
    Vote.objects.create(comment=other, user=reader, value=1)
    Flag.objects.create(comment=other, user=reader, reason=Flag.Reason.ABUSE, details="Rude.")
    Subscription.objects.create(
        article=article,
        user=reader,
        email=reader.email,
        kind="replies",
        confirmed_at=timezone.now(),
    )
    return article, reader, mine


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_account_page_downloads_everything_held_about_the_reader(reader_with_history):
    _, reader, _mine = reader_with_history
    client = signed_in(reader)
    page = client.get("/accounts/data/")
    assert page.status_code == 200
    assert b'href="/accounts/data/download/"' in page.content
    response = client.get("/accounts/data/download/")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="grace-data.json"'
    assert "no-store" in response["Cache-Control"]
    data = json.loads(response.content)
    assert data["format"] == "newsroom-personal-data"
    assert data["account"]["username"] == "grace"
    assert data["account"]["email"] == "grace@example.org"
    assert [c["body"] for c in data["comments"]] == ["My own words."]
    assert data["comments"][0]["ip_address"] == "198.51.100.20"
    assert [v["value"] for v in data["votes"]] == [1]
    assert [(r["reason"], r["details"]) for r in data["reports"]] == [("abuse", "Rude.")]
    assert [s["notify_of"] for s in data["subscriptions"]] == ["replies"]
    assert "Someone else's." not in response.content.decode()


def test_download_and_deletion_need_a_signed_in_reader(client):
    assert client.get("/accounts/data/download/").status_code == 302
    assert client.post("/accounts/data/delete/").status_code == 302


def test_deleting_takes_an_emailed_confirmation_then_a_grace_period(
    reader_with_history, django_capture_on_commit_callbacks
):
    _article, reader, mine = reader_with_history
    client = signed_in(reader)
    response = client.post("/accounts/data/delete/", follow=True)
    assert "We have emailed you a link" in response.content.decode()
    assert AccountDeletion.objects.count() == 0  # nothing before the link is followed
    (message,) = mail.outbox
    assert message.to == ["grace@example.org"]
    link = LINK.search(message.body).group(1)
    # Opening the link (as a mail scanner would) asks; only the button schedules.
    assert client.get(link).status_code == 200
    assert AccountDeletion.objects.count() == 0
    with django_capture_on_commit_callbacks(execute=False):
        page = client.post(link)
    assert page.status_code == 200
    deletion = AccountDeletion.objects.get(user=reader)
    assert deletion.due_at - deletion.confirmed_at == timedelta(days=14)
    assert "_auth_user_id" not in client.session  # signed out
    # Not due yet: nothing happens.
    assert own_data.complete_due_deletions() == 0
    assert User.objects.filter(pk=reader.pk).exists()
    # Due: the account goes, the comment stays as "Deleted account", replies keep their place.
    out = StringIO()
    AccountDeletion.objects.filter(pk=deletion.pk).update(due_at=timezone.now())
    call_command("delete_accounts", stdout=out)
    assert out.getvalue().strip() == "1 accounts deleted."
    assert not User.objects.filter(pk=reader.pk).exists()
    mine.refresh_from_db()
    assert (mine.user_id, mine.guest_name, mine.body) == (None, "Deleted account", "My own words.")
    assert Comment.objects.get(body="A reply to Grace.").parent_id == mine.pk
    assert Vote.objects.get().user_id is None and Flag.objects.get().user_id is None
    assert Subscription.objects.count() == 0
    assert AccountDeletion.objects.count() == 0


def test_the_erase_policy_removes_the_text(reader_with_history, settings):
    _, reader, mine = reader_with_history
    settings.ACCOUNTS_DELETION_COMMENTS = "erase"
    own_data.delete_account(reader)
    mine.refresh_from_db()
    assert (mine.body, mine.is_deleted, mine.guest_name) == ("", True, "")


def test_signing_in_and_keeping_the_account_cancels(reader_with_history):
    _, reader, _ = reader_with_history
    own_data.schedule_deletion(reader, now=timezone.now() - timedelta(days=30))
    client = signed_in(reader)
    assert "Your account will be deleted on" in client.get("/accounts/data/").content.decode()
    client.post("/accounts/data/keep/")
    assert AccountDeletion.objects.count() == 0
    assert own_data.complete_due_deletions() == 0
    assert User.objects.filter(pk=reader.pk).exists()


def test_the_queued_task_deletes_when_due(reader_with_history):
    _, reader, _ = reader_with_history
    own_data.schedule_deletion(reader, now=timezone.now() - timedelta(days=15))
    assert own_data.complete_deletion.call(reader.pk) == 1
    assert not User.objects.filter(pk=reader.pk).exists()


@pytest.mark.parametrize(
    "token",
    ["nonsense", "eyJ1IjoxfQ:1abcde:forged-signature"],
)
def test_a_forged_or_mangled_deletion_link_does_nothing(reader_with_history, token):
    response = Client().post(f"/accounts/data/delete/{token}/")
    assert response.status_code == 400
    assert AccountDeletion.objects.count() == 0


def test_a_link_stops_working_once_the_password_changes(reader_with_history):
    _, reader, _ = reader_with_history
    token = own_data.deletion_token(reader)
    reader.set_password("another horse battery")
    reader.save()
    assert Client().post(f"/accounts/data/delete/{token}/").status_code == 400


def test_staff_accounts_cannot_delete_themselves_here(db):
    boss = make_user("boss", is_staff=True)
    client = signed_in(boss)
    client.post("/accounts/data/delete/")
    assert mail.outbox == []
    token = own_data.deletion_token(boss)
    assert client.post(f"/accounts/data/delete/{token}/").status_code == 400
    assert AccountDeletion.objects.count() == 0


# --- Guests --------------------------------------------------------------------------------------


def test_a_guest_gets_a_link_to_download_and_erase_what_they_wrote(client):
    article = make_article()
    author = guest("Zoë", email="zoe@example.org")
    theirs = make_comment_row(article, "A guest's view.", author=author)
    make_comment_row(article, "A reply to it.", parent=theirs)
    Subscription.objects.create(article=article, email="zoe@example.org", kind="all")
    response = client.post("/accounts/data/guest/", {"email": "Zoe@Example.org"})
    assert response.status_code == 200
    (message,) = mail.outbox
    assert message.to == ["Zoe@Example.org"]
    link = LINK.search(message.body).group(1)
    page = client.get(link)
    assert page.status_code == 200
    download = client.get(f"{link}download/")
    data = json.loads(download.content)
    assert data["account"] is None
    assert [c["body"] for c in data["comments"]] == ["A guest's view."]
    assert [s["notify_of"] for s in data["subscriptions"]] == ["all"]
    client.post(link)
    theirs.refresh_from_db()
    assert (theirs.guest_name, theirs.guest_email, theirs.author_key) == ("Deleted account", "", "")
    assert Subscription.objects.count() == 0
    assert Comment.objects.get(body="A reply to it.").parent_id == theirs.pk


def test_the_answer_is_the_same_for_an_unknown_address(client):
    make_comment_row(make_article(), "Known.", author=guest("Ada", email="ada@example.org"))
    known = client.post("/accounts/data/guest/", {"email": "ada@example.org"})
    unknown = client.post("/accounts/data/guest/", {"email": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 200
    assert known.content == unknown.content
    assert [m.to for m in mail.outbox] == [["ada@example.org"]]  # strangers get no mail


def test_guest_requests_are_limited_per_network_whatever_the_address(client):
    statuses = []
    for n in range(5):
        # IPv6 addresses of one /64, a different email each time, no cookies.
        response = Client(REMOTE_ADDR=f"2001:db8:1:2::{n + 1}").post(
            "/accounts/data/guest/", {"email": f"someone{n}@example.org"}
        )
        statuses.append(response.status_code)
    assert statuses == [200, 200, 200, 429, 429]
    other_network = Client(REMOTE_ADDR="2001:db8:9:9::1")
    assert (
        other_network.post("/accounts/data/guest/", {"email": "x@example.org"}).status_code == 200
    )


def test_a_bad_guest_link_is_refused(client):
    assert client.get("/accounts/data/guest/forged/").status_code == 400
    assert client.get("/accounts/data/guest/forged/download/").status_code == 404
    assert client.post("/accounts/data/guest/", {"email": "not an address"}).status_code == 400


# --- The real worker carries out the deletion when due --------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_worker_process_deletes_the_account_when_due_and_not_before(settings, tmp_path):
    from django_tasks_db.models import DBTaskResult

    from tests.comments.test_notification_worker import finish, start_worker

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    due = make_user("due", email="due@example.org")
    later = make_user("later", email="later@example.org")
    make_comment_row(make_article(), "Words that stay.", author=member(due))
    own_data.schedule_deletion(due, now=timezone.now() - timedelta(days=15))  # due a day ago
    own_data.schedule_deletion(later)  # due in 14 days
    assert DBTaskResult.objects.filter(status="READY").count() == 2

    finish(start_worker(tmp_path / "outbox"))

    assert not User.objects.filter(pk=due.pk).exists()
    assert User.objects.filter(pk=later.pk).exists()
    assert Comment.objects.get().guest_name == "Deleted account"
    assert DBTaskResult.objects.filter(status="SUCCESSFUL").count() == 1
    assert DBTaskResult.objects.filter(status="READY").count() == 1  # waits for its time


def test_a_guest_link_reaches_guest_comments_only_never_an_accounts(client):
    article = make_article()
    owner = make_user("kim", email="kim@example.org")
    by_account = make_comment_row(article, "Written signed in.", author=member(owner))
    as_guest = make_comment_row(
        article, "Written as a guest.", author=guest("Kim", email="kim@example.org")
    )
    link = f"/accounts/data/guest/{own_data.guest_token('kim@example.org')}/"
    data = json.loads(client.get(f"{link}download/").content)
    assert [c["body"] for c in data["comments"]] == ["Written as a guest."]
    client.post(link)
    by_account.refresh_from_db()
    as_guest.refresh_from_db()
    assert (by_account.user_id, by_account.body) == (owner.pk, "Written signed in.")
    assert as_guest.guest_name == "Deleted account"
