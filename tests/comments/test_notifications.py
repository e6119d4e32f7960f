""" "Notify of": subscribing, who is told of what, and what the email holds.

Tasks run immediately here (tests/conftest.py), so each digest is sent as soon as it is
queued and lands in ``mail.outbox``; the digest window, retries and the real worker are in
test_notification_worker.py.
"""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from comments import moderation
from comments.models import Ban, Comment, Status
from comments.notifications import subscriptions, tasks
from comments.notifications.models import Notification, Subscription
from comments.services import post_comment, report
from tests.comments.helpers import (
    change_article,
    form_data,
    guest,
    make_posted_comment,
    member,
    post,
)
from tests.comments.moderation_support import make_moderator
from tests.helpers import make_article, make_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reader_settings", "mail_settings")]


@pytest.fixture
def mail_settings(settings):
    settings.COMMENTS_NOTIFY_MODERATORS = True
    settings.COMMENTS_NOTIFY_WINDOW = 0
    settings.SITE_URL = "https://news.example.org"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def follow(article, *, user=None, email="", kind="all"):
    return subscriptions.subscribe(article=article, kind=kind, user=user, email=email)


def confirmed_guest(article, email: str, kind: str = "all") -> Subscription:
    follow(article, email=email, kind=kind)
    subscription = Subscription.objects.get(article=article, email=email)
    Subscription.objects.filter(pk=subscription.pk).update(confirmed_at=subscription.created_at)
    return subscription


def link_in(message, name: str) -> str:
    match = re.search(rf"https://news\.example\.org(/comments/{name}/[^/\s]+/)", message.body)
    assert match, message.body
    return match.group(1)


def mail_to(address: str) -> list:
    return [message for message in mail.outbox if message.to == [address]]


# --- Subscribing ------------------------------------------------------------------------------


def test_signed_in_reader_choosing_replies_on_the_form_is_subscribed_at_once(
    article, django_capture_on_commit_callbacks
):
    reader = make_user("ruth")
    with django_capture_on_commit_callbacks(execute=True):
        response = post(signed_in(reader), article, notify="replies", name=None, email=None)
    assert response.status_code == 302
    subscription = Subscription.objects.get(article=article)
    assert (subscription.user, subscription.email, subscription.kind) == (
        reader,
        "ruth@example.org",
        "replies",
    )
    assert subscription.confirmed_at is not None
    assert mail.outbox == []  # no confirmation needed


def test_guest_posting_with_script_is_told_to_check_their_inbox(article):
    response = post(Client(), article, as_json=True, notify="replies", email="js@example.org")
    assert response.status_code == 201
    assert "Check your inbox" in response.json()["message"]
    assert Subscription.objects.get().kind == "replies"
    assert [m.to for m in mail.outbox] == [["js@example.org"]]


def test_spam_comment_subscribes_nobody(article, settings):
    settings.COMMENTS_SPAM_CHECKER = "tests.comments.test_moderation_spam.AlwaysSpam"
    response = post(Client(), article, notify="all")
    assert response.status_code == 302
    assert Comment.objects.get().status == Status.SPAM
    assert not Subscription.objects.exists() and mail.outbox == []


def test_posting_through_the_service_subscribes_as_the_form_does(article):
    # The API, the admin and imports call post_comment too: subscribing is its business.
    comment = post_comment(
        article=article,
        parent=None,
        author=guest("Ada Lovelace", email="ada@example.org"),
        body="Keep me posted.",
        subscribe="all",
    )
    assert "Check your inbox" in comment.following
    subscription = Subscription.objects.get()
    assert (subscription.article, subscription.email, subscription.kind) == (
        article,
        "ada@example.org",
        "all",
    )
    assert subscription.confirmed_at is None
    assert [m.to for m in mail.outbox] == [["ada@example.org"]]


def test_posting_without_a_choice_subscribes_nobody_and_says_nothing(article):
    comment = post_comment(article=article, parent=None, author=guest(), body="Just this.")
    assert comment.following is None
    assert not Subscription.objects.exists()


def test_choosing_nothing_subscribes_nobody(article):
    response = post(Client(), article, notify="")
    assert response.status_code == 302
    assert Comment.objects.get().is_visible
    assert not Subscription.objects.exists()


def test_guest_choice_waits_for_the_emailed_link_before_anything_is_sent(
    article, django_capture_on_commit_callbacks
):
    client = Client()
    response = client.post(
        reverse("comments:post", args=[article.pk]),
        form_data(notify="all", email="Ada@Example.org"),
        follow=True,
    )
    assert "Check your inbox" in response.content.decode()
    subscription = Subscription.objects.get(article=article)
    assert subscription.email == "ada@example.org"
    assert subscription.confirmed_at is None
    [confirmation] = mail.outbox
    assert confirmation.to == ["ada@example.org"]
    assert "Confirm" in confirmation.subject and article.headline in confirmation.subject
    assert confirmation.alternatives[0][1] == "text/html"

    with django_capture_on_commit_callbacks(execute=True):
        make_posted_comment(article, "Before confirming.")
    assert len(mail.outbox) == 1  # unconfirmed: nothing sent

    page = client.get(link_in(confirmation, "confirm"))
    assert page.status_code == 200
    assert "Subscription confirmed" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        make_posted_comment(article, "After confirming.")
    [digest] = mail_to("ada@example.org")[1:]
    assert "After confirming." in digest.body
    assert "Before confirming." not in digest.body


def test_guest_follows_without_commenting_after_confirming(article):
    response = Client().post(
        reverse("comments:follow", args=[article.pk]), {"email": "lin@example.org", "kind": "all"}
    )
    assert response.status_code == 302
    [confirmation] = mail.outbox
    Client().get(link_in(confirmation, "confirm"))
    assert Subscription.objects.confirmed().get(article=article).email == "lin@example.org"


def test_signed_in_reader_follows_without_commenting_at_once(article):
    reader = make_user("omar")
    response = signed_in(reader).post(
        reverse("comments:follow", args=[article.pk]), {"kind": "all"}, follow=True
    )
    assert "You will be notified by email" in response.content.decode()
    assert Subscription.objects.confirmed().get(article=article).user == reader
    assert mail.outbox == []


def test_closed_discussion_cannot_be_followed(article):
    change_article(article, comments_open=False)
    response = Client().post(
        reverse("comments:follow", args=[article.pk]), {"email": "lin@example.org", "kind": "all"}
    )
    assert response.status_code == 403
    assert "Comments on this article are closed." in response.content.decode()
    assert not Subscription.objects.exists()


def test_article_page_offers_notify_choice_and_follow_form(article):
    page = Client().get(article.get_absolute_url()).content.decode()
    assert 'name="notify"' in page
    assert "Replies to my comments" in page and "All new comments on this article" in page
    assert reverse("comments:follow", args=[article.pk]) in page


@pytest.mark.parametrize("email", ["not-an-address", "ada@", "ada@exa mple.org", ""])
def test_invalid_email_gets_a_clear_message(article, email):
    response = Client().post(
        reverse("comments:follow", args=[article.pk]), {"email": email, "kind": "all"}
    )
    assert response.status_code == 400
    assert "email address" in response.content.decode()
    assert not Subscription.objects.exists()
    with pytest.raises(subscriptions.SubscriptionRefused, match="valid email"):
        follow(article, email=email)


def test_banned_email_cannot_subscribe(article):
    Ban.objects.create(email="troll@example.org")
    response = Client().post(
        reverse("comments:follow", args=[article.pk]),
        {"email": "TROLL@example.org", "kind": "all"},
    )
    assert response.status_code == 400
    assert "This email address cannot subscribe" in response.content.decode()
    assert not Subscription.objects.exists() and mail.outbox == []


def test_one_address_gets_one_confirmation_an_hour_and_three_across_articles(article):
    for _ in range(5):
        follow(article, email="victim@example.org")
    assert len(mail.outbox) == 1
    others = [make_article() for _ in range(3)]
    follow(others[0], email="victim@example.org")
    follow(others[1], email="victim@example.org")
    with pytest.raises(subscriptions.SubscriptionRefused, match="Too many confirmation"):
        follow(others[2], email="victim@example.org")
    assert len(mail.outbox) == 3


def test_one_network_cannot_send_confirmations_to_many_addresses(article, settings):
    settings.COMMENTS_SUBSCRIBE_RATE_LIMITS = "3/hour"
    client = Client(REMOTE_ADDR="198.51.100.9")
    url = reverse("comments:follow", args=[article.pk])
    for n in range(3):
        assert client.post(url, {"email": f"v{n}@example.org", "kind": "all"}).status_code == 302
    response = client.post(url, {"email": "v9@example.org", "kind": "all"})
    assert response.status_code == 400
    assert "Too many subscriptions from your network" in response.content.decode()
    assert len(mail.outbox) == 3
    other = Client(REMOTE_ADDR="198.51.100.10")
    assert other.post(url, {"email": "v9@example.org", "kind": "all"}).status_code == 302


def test_confirmed_guest_subscription_cannot_be_changed_by_someone_else(article):
    confirmed_guest(article, "kim@example.org", kind="replies")
    outcome = follow(article, email="kim@example.org", kind="all")
    assert not outcome.confirmed
    assert Subscription.objects.get().kind == "replies"
    assert len(mail.outbox) == 1  # only the original confirmation


# --- What is sent, and to whom ----------------------------------------------------------------


def test_all_comments_subscriber_gets_a_digest_with_everything_an_email_needs(
    article, django_capture_on_commit_callbacks
):
    confirmed_guest(article, "reader@example.org")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        comment = make_posted_comment(
            article, "I <b>disagree</b> & here's why", author=guest("Mallory <script>")
        )
    [message] = mail.outbox
    assert message.to == ["reader@example.org"]
    assert article.headline in message.subject
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert "I &lt;b&gt;disagree&lt;/b&gt; &amp; here&#x27;s why" in html
    assert "<b>disagree</b>" not in html and "<script>" not in html
    assert "I <b>disagree</b> & here's why" in message.body
    permalink = f"https://news.example.org{comment.get_absolute_url()}"
    assert permalink in message.body and permalink in html
    unsubscribe = link_in(message, "unsubscribe")
    assert message.extra_headers["List-Unsubscribe"] == f"<https://news.example.org{unsubscribe}>"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert unsubscribe in html
    assert Notification.objects.get().sent_at is not None


def test_replies_subscriber_hears_only_of_replies_to_their_own_comments(
    article, django_capture_on_commit_callbacks
):
    reader = make_user("ruth")
    subscriptions.subscribe(article=article, kind="replies", user=reader)
    mine = make_posted_comment(article, "Mine.", author=member(reader))
    theirs = make_posted_comment(article, "Someone else's.")
    with django_capture_on_commit_callbacks(execute=True):
        make_posted_comment(article, "A new thread.")
        make_posted_comment(article, "Reply to them.", parent=theirs)
        make_posted_comment(article, "Reply to Ruth.", parent=mine)
    [message] = mail.outbox
    assert message.to == ["ruth@example.org"]
    assert "Reply to Ruth." in message.body and "reply" in message.subject
    assert "Reply to them." not in message.body and "A new thread." not in message.body


def test_nobody_is_notified_of_their_own_comment(article, django_capture_on_commit_callbacks):
    reader = make_user("ruth")
    subscriptions.subscribe(article=article, kind="all", user=reader)
    confirmed_guest(article, "ada@example.org")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        make_posted_comment(article, "Ruth speaks.", author=member(reader))
        make_posted_comment(article, "Ada speaks.", author=guest("Ada", email="ADA@example.org"))
    assert [(m.to, "Ruth speaks." in m.body) for m in mail.outbox] == [
        (["ada@example.org"], True),
        (["ruth@example.org"], False),
    ]


def test_held_comment_notifies_subscribers_only_when_approved_and_alerts_moderators(
    article, django_capture_on_commit_callbacks
):
    moderator = make_moderator("mod", email="mod@example.org")
    confirmed_guest(article, "reader@example.org")
    change_article(article, comments_premoderated=True)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = post(Client(), article, "Held for now.")
    comment = Comment.objects.get()
    assert comment.status == Status.PENDING and response.status_code == 302
    assert mail_to("reader@example.org") == []
    [alert] = mail_to("mod@example.org")
    assert "1 waiting" in alert.subject and "Held for now." in alert.body
    assert "https://news.example.org/admin/comments/comment/?queue=pending" in alert.body

    with django_capture_on_commit_callbacks(execute=True):
        moderation.moderate(comments=[comment], actor=moderator, action="approve")
    [digest] = mail_to("reader@example.org")
    assert "Held for now." in digest.body
    with django_capture_on_commit_callbacks(execute=True):  # approving again sends nothing
        moderation.moderate(comments=[comment], actor=moderator, action="hold")
        moderation.moderate(comments=[comment], actor=moderator, action="approve")
    assert len(mail_to("reader@example.org")) == 1


def test_rejected_held_comment_never_notifies_subscribers(
    article, django_capture_on_commit_callbacks
):
    moderator = make_moderator("mod", email="mod@example.org")
    confirmed_guest(article, "reader@example.org")
    change_article(article, comments_premoderated=True)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        post(Client(), article, "Spam, really.")
        moderation.moderate(comments=Comment.objects.all(), actor=moderator, action="reject")
    assert mail_to("reader@example.org") == []


def test_reported_comment_alerts_moderators_with_a_link_to_the_reported_queue(
    article, django_capture_on_commit_callbacks
):
    make_moderator("mod", email="mod@example.org")
    comment = make_posted_comment(article, "Contested.")
    with django_capture_on_commit_callbacks(execute=True):
        report(comment=comment, reporter=guest(), reason="abuse")
        report(comment=comment, reporter=guest(), reason="spam")
    [alert] = mail_to("mod@example.org")
    assert "1 reported" in alert.subject
    assert "https://news.example.org/admin/comments/comment/?queue=reported" in alert.body
    html = alert.alternatives[0][0]
    assert f"/admin/comments/comment/{comment.pk}/change/" in html


def test_comment_removed_before_the_digest_is_sent_is_left_out(article):
    subscription = confirmed_guest(article, "reader@example.org")
    mail.outbox.clear()
    comment = make_posted_comment(article, "Soon removed.")
    # Written with the comment, in its transaction; the digest is due later.
    assert Notification.objects.filter(subscription=subscription, comment=comment).exists()
    Comment.objects.filter(pk=comment.pk).update(status=Status.REMOVED)
    assert tasks.send_digest.call(subscription.pk) == 0
    assert mail.outbox == [] and not Notification.objects.exists()


# --- Account page -----------------------------------------------------------------------------


def test_account_page_lists_and_changes_subscriptions(article):
    reader = make_user("ruth")
    subscriptions.subscribe(article=article, kind="replies", user=reader)
    client = signed_in(reader)
    page = client.get(reverse("comments:subscriptions"))
    assert page.status_code == 200
    assert article.headline in page.content.decode()
    subscription = Subscription.objects.get()
    response = client.post(
        reverse("comments:change_subscription", args=[subscription.pk]),
        {f"s{subscription.pk}-kind": "all"},
        follow=True,
    )
    assert "Your subscription has been changed." in response.content.decode()
    assert Subscription.objects.get().kind == "all"
    client.post(
        reverse("comments:change_subscription", args=[subscription.pk]),
        {f"s{subscription.pk}-kind": ""},
    )
    assert not Subscription.objects.exists()


def test_account_page_needs_sign_in_and_shows_only_ones_own(article):
    owner = make_user("ruth")
    subscriptions.subscribe(article=article, kind="all", user=owner)
    subscription = Subscription.objects.get()
    assert Client().get(reverse("comments:subscriptions")).status_code == 302
    other = signed_in(make_user("eve"))
    assert article.headline not in other.get(reverse("comments:subscriptions")).content.decode()
    response = other.post(
        reverse("comments:change_subscription", args=[subscription.pk]),
        {f"s{subscription.pk}-kind": ""},
    )
    assert response.status_code == 404
    assert Subscription.objects.filter(pk=subscription.pk).exists()


def test_account_without_email_is_told_why_it_cannot_subscribe(article):
    reader = make_user("noemail", email="")
    response = signed_in(reader).post(
        reverse("comments:follow", args=[article.pk]), {"kind": "all"}
    )
    assert response.status_code == 400
    assert "no confirmed email" in response.content.decode()
