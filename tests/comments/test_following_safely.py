"""Following discussions without leaking or trusting what should not be: the review's
findings 4, 7 and 10 (subscriptions), each as the attacker tried it."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from comments import services
from comments.models import Flag
from comments.moderation.privacy import erase_commenter
from comments.notifications import subscriptions
from comments.notifications.models import Subscription
from newsroom import ratelimit
from tests.comments.helpers import guest, make_posted_comment, member
from tests.helpers import make_article, make_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reader_settings")]


@pytest.fixture(autouse=True)
def _mail(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SITE_URL = "https://news.example.org"
    settings.COMMENTS_NOTIFY_WINDOW = 0


def answer(article, email: str, ip: str = "198.51.100.7") -> str:
    """What a guest following ``article`` with ``email`` is told."""
    try:
        return subscriptions.subscribe(article=article, kind="all", email=email, ip=ip).message
    except subscriptions.SubscriptionRefused as refusal:
        return refusal.message


# --- 4: whether an address follows a discussion stays secret ----------------------------------


@pytest.mark.parametrize("rates", ["1/hour", "10/hour"])
def test_following_answers_and_counts_the_same_whether_or_not_the_address_is_subscribed(
    settings, rates
):
    """The review's probe: a confirmed subscription answered before the limits, so the
    answers (and the prober's own limit) told which addresses follow which discussion."""
    settings.COMMENTS_SUBSCRIBE_RATE_LIMITS = rates
    article, others = make_article(), [make_article() for _ in range(3)]
    Subscription.objects.create(
        article=article, email="known@example.org", kind="all", confirmed_at=timezone.now()
    )

    def probe(email: str) -> list[str]:
        ratelimit.clear()
        told = [answer(other, email) for other in others]
        told += [answer(article, email) for _ in range(3)]
        told.append(answer(make_article(), "someone.else@example.org"))
        return told

    assert probe("known@example.org") == probe("unknown@example.org")


def test_the_follow_form_answers_the_same_for_a_subscribed_address(settings):
    settings.COMMENTS_SUBSCRIBE_RATE_LIMITS = "1/hour"
    article = make_article()
    Subscription.objects.create(
        article=article, email="known@example.org", kind="all", confirmed_at=timezone.now()
    )
    url = reverse("comments:follow", args=[article.pk])

    def statuses(email: str) -> list[tuple[int, str]]:
        ratelimit.clear()
        answers = []
        for n in range(2):
            client = Client(REMOTE_ADDR=f"2001:db8:1:2::{n + 5:x}")  # the same /64
            response = client.post(url, {"email": email, "kind": "all"}, follow=True)
            answers.append((response.status_code, response.content.decode().count("inbox")))
        return answers

    assert statuses("known@example.org") == statuses("new@example.org")


# --- 7: a mail scanner opening the link confirms nothing --------------------------------------


def test_opening_the_confirmation_link_asks_and_only_the_button_confirms(article):
    subscriptions.subscribe(article=article, kind="all", email="ada@example.org")
    [message] = mail.outbox
    path = re.search(r"https://news\.example\.org(/comments/confirm/\S+/)", message.body)[1]
    for _ in range(3):  # a scanner, a preview, the reader
        opened = Client().get(path)
        assert opened.status_code == 200
        assert "Confirm your subscription?" in opened.content.decode()
    assert not Subscription.objects.confirmed().exists()

    done = Client(enforce_csrf_checks=True).post(path)  # no token: the link is the key
    assert done.status_code == 200
    assert "You will get an email when there is news" in done.content.decode()
    assert Subscription.objects.confirmed().count() == 1


# --- 10: replies to "my" comments, erasure, networks -----------------------------------------


def test_replies_to_a_comment_posted_with_someone_elses_email_do_not_reach_them(
    article, django_capture_on_commit_callbacks
):
    """A guest email is not verified: anyone can post as victim@. A confirmed "replies to my
    comments" subscription hears only of replies to comments from the browser it was made
    in."""
    victim = guest("Vic", email="victim@example.org", key="victims-browser")
    own = services.post_comment(article=article, parent=None, author=victim, body="Mine.")
    subscriptions.subscribe(
        article=article, kind="replies", email=victim.email, author_key=victim.key
    )
    Subscription.objects.update(confirmed_at=timezone.now())
    impostor = guest("Vic", email="VICTIM@example.org", key="attackers-browser")
    forged = services.post_comment(article=article, parent=None, author=impostor, body="Spam.")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        make_posted_comment(article, "Reply to the impostor.", parent=forged)
        make_posted_comment(article, "Reply to Vic.", parent=own)
    [message] = mail.outbox
    assert message.to == ["victim@example.org"]
    assert "Reply to Vic." in message.body and "impostor" not in message.body


def test_an_account_with_the_email_hears_nothing_of_replies_to_a_guests_comments(
    article, django_capture_on_commit_callbacks
):
    reader = make_user("vic", email="victim@example.org")
    subscriptions.subscribe(article=article, kind="replies", user=reader)
    forged = make_posted_comment(article, "As a guest.", author=guest(email="victim@example.org"))
    mine = make_posted_comment(article, "Signed in.", author=member(reader))
    with django_capture_on_commit_callbacks(execute=True):
        make_posted_comment(article, "Reply to the guest.", parent=forged)
        make_posted_comment(article, "Reply to the account.", parent=mine)
    [message] = mail.outbox
    assert "Reply to the account." in message.body and "the guest" not in message.body


def test_erasing_a_commenter_removes_their_subscriptions_and_guest_reports(article):
    leaving = guest("Lea", email="leaving@example.org")
    leaving = type(leaving)(**{**leaving.__dict__, "ip": "203.0.113.40"})
    services.post_comment(article=article, parent=None, author=leaving, body="Hello.")
    target = make_posted_comment(article, "Reported.")
    services.report(comment=target, reporter=leaving, reason="abuse", details="Lea's words")
    stays = make_posted_comment(article, "Also reported.")
    other = guest("Other", email="other@example.org")
    other = type(other)(**{**other.__dict__, "ip": "198.51.100.41"})
    services.report(comment=stays, reporter=other, reason="spam", details="Other's words")
    subscriptions.subscribe(article=article, kind="all", email="LEAVING@example.org")
    Subscription.objects.create(
        article=make_article(), email="leaving@example.org", kind="replies",
        confirmed_at=timezone.now(),
    )  # fmt: skip
    Subscription.objects.create(article=article, email="other@example.org", kind="all")

    erasure = erase_commenter(email="leaving@example.org")

    assert list(Subscription.objects.values_list("email", flat=True)) == ["other@example.org"]
    flags = {flag.comment_id: flag for flag in Flag.objects.all()}
    assert (flags[target.pk].ip_address, flags[target.pk].details) == (None, "")
    assert flags[target.pk].reporter_key.startswith("erased:")
    assert (flags[stays.pk].ip_address, flags[stays.pk].details) == (
        "198.51.100.41",
        "Other's words",
    )
    assert (erasure.reports, erasure.subscriptions) == (1, 2)
    assert flags[target.pk].comment_id == target.pk  # the report still counts


def test_follow_limits_count_an_ipv6_64_not_each_address(article, settings):
    settings.COMMENTS_SUBSCRIBE_RATE_LIMITS = "3/hour"
    url = reverse("comments:follow", args=[article.pk])
    statuses = [
        Client(REMOTE_ADDR=f"2001:db8:4:4::{n + 1:x}")
        .post(url, {"email": f"v{n}@example.org", "kind": "all"})
        .status_code
        for n in range(5)
    ]
    assert statuses == [302, 302, 302, 400, 400]
    assert len(mail.outbox) == 3


def test_plus_addressed_variants_of_one_mailbox_share_its_confirmation_cap():
    """ada+1@, ada+2@, a.da@ land in one inbox: three confirmations an hour in all."""
    variants = ["ada+1@example.org", "ada+2@example.org", "a.da@example.org", "ad.a+x@example.org"]
    told = [
        answer(make_article(), email, ip=f"198.51.100.{n + 1}") for n, email in enumerate(variants)
    ]
    assert told[3] == (
        "Too many confirmation emails were sent to this address in the last hour. "
        "Please try again later."
    )
    assert len(mail.outbox) == 3
