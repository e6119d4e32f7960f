"""Statements of reasons and appeals: a removed comment's author is told why (on the page and
by email) and may appeal through a signed link, without an account; a moderator other than
the one who removed it decides; labels and the audit trail keep every decision."""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
import threading

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse

from comments import moderation, services
from comments.domain import CommentRefused
from comments.models import Appeal, Comment, LanguageLabel, Status
from comments.moderation import Queue, appeals
from tests.comments.helpers import guest, guest_client, member, page, signed_in
from tests.comments.language_support import CIVIL, RUDE, UNSURE
from tests.comments.moderation_support import events, make_moderator
from tests.helpers import make_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("moderation_policy")]

REASON = "Calls a group of neighbours a problem."


@pytest.fixture
def alice(db):
    return make_moderator("alice")


@pytest.fixture
def bob(db):
    return make_moderator("bob")


def remove(comment, by, callbacks, *, action="remove", reason=REASON):
    with callbacks(execute=True):
        moderation.moderate(comments=[comment], actor=by, action=action, reason=reason)
    comment.refresh_from_db()


def appeal_link(message) -> str:
    match = re.search(r"https?://\S+(/comments/appeal/\S+/)", message.body)
    assert match, message.body
    return match.group(1)


@pytest.fixture
def removed(article, scorer, alice, django_capture_on_commit_callbacks):
    """A guest's held comment (the scorer was unsure) that alice removed; its author's email."""
    author = guest("Nora Quinn", email="nora@example.org")
    comment = services.post_comment(article=article, parent=None, author=author, body=UNSURE)
    assert comment.status == Status.PENDING
    remove(comment, alice, django_capture_on_commit_callbacks)
    comment.author = author
    return comment


# --- The statement of reasons --------------------------------------------------------------


def test_a_removal_emails_the_author_why_and_how_to_appeal(removed, article):
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["nora@example.org"]
    assert message.subject == "About your comment on “Council approves the new bridge”"
    assert "Your comment was removed. A moderator made this decision." in message.body
    assert (
        "Our automatic language check had held it for review: hate (“people like that”, "
        "“problem”)." in message.body
    )
    assert f"The moderator\u2019s reason: “{REASON}”." in message.body
    assert UNSURE in message.body
    assert "/comments/appeal/" in message.body
    html = message.alternatives[0][0]
    assert appeal_link(message) in html


def test_spam_is_not_told_and_a_guest_without_email_gets_no_message(
    article, alice, django_capture_on_commit_callbacks
):
    spam = services.post_comment(article=article, parent=None, author=guest(), body=CIVIL)
    remove(spam, alice, django_capture_on_commit_callbacks, action="spam")
    anonymous = guest()
    anonymous = anonymous.__class__(name="Anon", browser_key="k-anon", ip="192.0.2.1")
    quiet = services.post_comment(article=article, parent=None, author=anonymous, body="Hello.")
    remove(quiet, alice, django_capture_on_commit_callbacks)
    assert mail.outbox == []


def test_an_account_holder_is_told_at_the_accounts_address(
    article, alice, django_capture_on_commit_callbacks
):
    user = make_user("reader", email="reader@example.org")
    comment = services.post_comment(article=article, parent=None, author=member(user), body="Hi.")
    remove(comment, alice, django_capture_on_commit_callbacks, action="reject")
    assert [m.to for m in mail.outbox] == [["reader@example.org"]]
    assert "Your comment was not published." in mail.outbox[0].body


def test_the_author_sees_their_removed_comment_and_the_link_others_do_not(removed, article):
    mine = page(guest_client(removed.author.browser_key), article)
    assert UNSURE in mine
    assert "Removed by a moderator: only you can see this comment." in mine
    assert appeals.appeal_path(removed).split("/")[2] == "appeal"
    assert 'href="/comments/appeal/' in mine
    others = page(Client(), article)
    assert UNSURE not in others
    assert "/comments/appeal/" not in others


# --- Appealing -----------------------------------------------------------------------------


def test_the_link_works_without_cookies_and_takes_the_appeal(removed, article):
    link = appeal_link(mail.outbox[0])
    browser = Client()  # no cookies: the link is the key
    response = browser.get(link)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Your comment was removed." in html
    assert "Why should your comment be reinstated?" in html
    assert 'name="statement"' in html

    response = browser.post(link, {"statement": "I quoted what others say, to argue against it."})
    assert response.status_code == 302
    assert response["Location"] == link
    appeal = Appeal.objects.get()
    assert (appeal.comment_id, appeal.decided_against_by.username) == (removed.pk, "alice")
    assert appeal.statement == "I quoted what others say, to argue against it."
    assert events(removed)[-1] == (
        "appealed",
        None,
        "",
        "",
        "I quoted what others say, to argue against it.",
    )
    assert list(moderation.in_queue(Comment.objects.all(), Queue.APPEALS)) == [removed]
    assert moderation.queue_counts()["appeals"] == 1
    followed = browser.get(link).content.decode()
    assert "Your appeal waits for a moderator who did not make the first decision." in followed
    assert 'name="statement"' not in followed


def test_one_appeal_per_comment(removed):
    appeals.submit(comment=removed, statement="Please look again.")
    response = Client().post(appeal_link(mail.outbox[0]), {"statement": "And again."})
    assert response.status_code == 409
    assert "You have already appealed this decision." in response.content.decode()
    assert Appeal.objects.count() == 1


def test_an_empty_or_overlong_explanation_is_refused_with_the_text_kept(removed):
    link = appeal_link(mail.outbox[0])
    assert Client().post(link, {"statement": "   "}).status_code == 400
    too_long = "x" * 2001
    response = Client().post(link, {"statement": too_long})
    assert response.status_code == 400
    assert too_long in response.content.decode()
    assert Appeal.objects.count() == 0


def test_a_forged_or_cut_link_is_refused(removed):
    link = appeal_link(mail.outbox[0])
    assert Client().get(link[:-6] + "xxxxx/").status_code == 400
    other = link.replace(link.split("/")[3], appeals.appeal_token(removed)[:-2] + "AA")
    assert Client().get(other).status_code == 400
    assert Client().post(link[:-6] + "xxxxx/", {"statement": "hi"}).status_code == 400


def test_there_is_nothing_to_appeal_on_a_published_comment(article):
    comment = services.post_comment(article=article, parent=None, author=guest(), body="Hi.")
    link = appeals.appeal_path(comment)
    assert "This comment is not removed" in Client().get(link).content.decode()
    assert Client().post(link, {"statement": "Why?"}).status_code == 409
    assert Appeal.objects.count() == 0


# --- Deciding: another moderator -----------------------------------------------------------


def test_the_moderator_who_removed_it_cannot_decide_the_appeal(removed, alice):
    appeal = appeals.submit(comment=removed, statement="Please look again.")
    with pytest.raises(PermissionDenied, match="A different moderator must decide"):
        moderation.decide_appeal(appeal=appeal, actor=alice, reinstate=True)
    with pytest.raises(PermissionDenied):  # nor approve it from the comments' queue
        moderation.moderate(comments=[removed], actor=alice, action="approve")
    removed.refresh_from_db()
    appeal.refresh_from_db()
    assert (removed.status, appeal.decided_at) == (Status.REMOVED, None)


def test_another_moderator_reinstates_the_comment(removed, bob, article):
    appeal = appeals.submit(comment=removed, statement="Please look again.")
    assert moderation.decide_appeal(appeal=appeal, actor=bob, reinstate=True, reason="Quoted.")
    removed.refresh_from_db()
    appeal.refresh_from_db()
    assert removed.status == Status.APPROVED
    assert (appeal.outcome, appeal.decided_by, appeal.reason) == ("reinstated", bob, "Quoted.")
    assert [e[:2] for e in events(removed)[-2:]] == [("approved", "bob"), ("appeal_granted", "bob")]
    article.refresh_from_db()
    assert article.comment_count == 1
    assert not moderation.decide_appeal(appeal=appeal, actor=bob, reinstate=False)  # decided


def test_another_moderator_upholds_and_the_author_is_told(
    removed, bob, django_capture_on_commit_callbacks
):
    appeal = appeals.submit(comment=removed, statement="Please look again.")
    with django_capture_on_commit_callbacks(execute=True):
        moderation.decide_appeal(appeal=appeal, actor=bob, reinstate=False, reason="It stays.")
    removed.refresh_from_db()
    appeal.refresh_from_db()
    assert (removed.status, appeal.outcome, appeal.decided_by) == (Status.REMOVED, "upheld", bob)
    assert events(removed)[-1][:2] == ("appeal_denied", "bob")
    assert len(mail.outbox) == 2
    assert (
        "A moderator who did not make the first decision has decided your appeal: Decision upheld."
        in mail.outbox[1].body
    )


def test_the_appeals_queue_in_the_admin_refuses_the_same_moderator(removed, alice, bob):
    appeal = appeals.submit(comment=removed, statement="Please look again.")
    url = reverse("admin:comments_appeal_changelist")
    data = {"action": "reinstate", "_selected_action": [appeal.pk], "reason": "", "index": "0"}

    as_alice = signed_in(alice)
    listing = as_alice.get(url + "?state=open").content.decode()
    assert "Please look again." in listing
    response = as_alice.post(url, data, follow=True)
    assert "A different moderator must decide this appeal" in response.content.decode()
    removed.refresh_from_db()
    assert removed.status == Status.REMOVED

    queue = as_alice.get(reverse("admin:comments_comment_changelist") + "?queue=appeals")
    assert UNSURE[:30] in queue.content.decode()

    response = signed_in(bob).post(url, data, follow=True)
    assert "1 appeal decided." in response.content.decode()
    removed.refresh_from_db()
    assert removed.status == Status.APPROVED


# --- Labels --------------------------------------------------------------------------------


def test_decisions_on_scored_comments_become_labels(article, scorer, alice):
    unsure = services.post_comment(article=article, parent=None, author=guest(), body=UNSURE)
    rude = services.post_comment(article=article, parent=None, author=guest(), body=RUDE)
    civil = services.post_comment(article=article, parent=None, author=guest(), body=CIVIL)
    moderation.moderate(comments=[unsure], actor=alice, action="remove")
    moderation.moderate(comments=[rude], actor=alice, action="approve")
    moderation.moderate(comments=[civil], actor=alice, action="reject")  # off-topic, say
    moderation.moderate(comments=[unsure], actor=alice, action="hold")  # decides nothing
    labels = {
        label.comment_id: (label.text, label.hate, label.offensive, label.decision)
        for label in LanguageLabel.objects.all()
    }
    assert labels == {
        unsure.pk: (UNSURE, True, False, "removed"),
        rude.pk: (RUDE, False, False, "approved"),
    }
    assert set(LanguageLabel.objects.values_list("decided_by__username", flat=True)) == {"alice"}


def test_a_later_decision_replaces_the_label(removed, bob):
    appeal = appeals.submit(comment=removed, statement="Please look again.")
    moderation.decide_appeal(appeal=appeal, actor=bob, reinstate=True)
    label = LanguageLabel.objects.get()
    assert (label.hate, label.offensive, label.decision, label.decided_by) == (
        False, False, "approved", bob,
    )  # fmt: skip


def test_export_language_labels_writes_text_hate_offensive(article, scorer, alice, tmp_path):
    unsure = services.post_comment(article=article, parent=None, author=guest(), body=UNSURE)
    tricky = services.post_comment(
        article=article, parent=None, author=guest(), body=RUDE + '\nWith "quotes", and commas.'
    )
    moderation.moderate(comments=[unsure], actor=alice, action="remove")
    moderation.moderate(comments=[tricky], actor=alice, action="approve")
    target = tmp_path / "labels.csv"
    call_command("export_language_labels", str(target), stderr=io.StringIO())
    rows = list(csv.reader(target.open(newline="", encoding="utf-8")))
    assert rows == [
        ["text", "hate", "offensive"],
        [UNSURE, "1", "0"],
        [RUDE + '\nWith "quotes", and commas.', "0", "0"],
    ]


def test_recalibration_reads_moderators_decisions_from_the_database(
    article, scorer, alice, tmp_path, embedding_cache
):
    unsure = services.post_comment(article=article, parent=None, author=guest(), body=UNSURE)
    civil = services.post_comment(article=article, parent=None, author=guest(), body=CIVIL)
    moderation.moderate(comments=[unsure], actor=alice, action="remove")
    moderation.moderate(comments=[civil], actor=alice, action="approve")
    call_command(
        "train_language_model", "--recalibrate", "--output", str(tmp_path),
        "--embedding-cache", str(embedding_cache), stdout=io.StringIO(),
    )  # fmt: skip
    with gzip.open(tmp_path / "model.json.gz", "rt") as file:
        assert json.load(file)["trained"]["recalibrated_with_labels"] == 2


def test_the_api_shows_the_author_their_removed_comment_as_removed(removed, article):
    url = reverse("comments:api", args=[article.slug])
    mine = guest_client(removed.author.browser_key).get(url).json()
    flat = json.dumps(mine)
    assert '"state": "removed"' in flat and UNSURE in flat
    assert UNSURE not in json.dumps(Client().get(url).json())


def test_moderators_who_may_decide_hear_of_a_new_appeal(
    removed, alice, bob, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        appeals.submit(comment=removed, statement="I was quoting, to disagree.")
    assert [message.to for message in mail.outbox] == [[bob.email]]  # not alice, who decided
    message = mail.outbox[0]
    assert message.subject == (
        "An author appealed a moderation decision on “Council approves the new bridge”"
    )
    assert "I was quoting, to disagree." in message.body
    assert "/admin/comments/appeal/?state=open" in message.body


@pytest.mark.django_db(transaction=True)
def test_two_appeals_sent_at_once_make_one(moderation_policy, article):
    """The same form sent twice at once (a double click, or on purpose): one appeal."""
    comment = services.post_comment(article=article, parent=None, author=guest(), body="Hi.")
    # Removed by the system (a command): transactional tests may run after another's flush
    # took the migrations' groups away.
    moderation.moderate(comments=[comment], actor=None, action="remove")
    barrier = threading.Barrier(4)
    outcomes: list[str] = []

    def appeal() -> None:
        try:
            barrier.wait()
            appeals.submit(comment=comment, statement="Please look again.")
            outcomes.append("accepted")
        except CommentRefused as refusal:
            outcomes.append(refusal.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=appeal) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["accepted", "appealed", "appealed", "appealed"]
    assert Appeal.objects.count() == 1
