"""Votes: up or down, one per reader per comment, changeable, never on one's own comment;
guests by their browser cookie, with a limit per address and hour."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from comments import identity
from comments.models import Comment, Vote
from comments.services import delete_comment
from tests.comments.helpers import (
    JSON,
    guest,
    guest_client,
    make_posted_comment,
    member,
    page,
    post,
    posted_id,
    signed_in,
)
from tests.helpers import make_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reader_settings")]

TOO_MANY = "Too many votes from your network. Please try again later."


def send_vote(client: Client, comment: Comment, value: str, *, as_json: bool = True, **extra):
    return client.post(
        reverse("comments:vote", args=[comment.pk]),
        {"value": value},
        headers=JSON if as_json else None,
        **extra,
    )


def counts(comment: Comment) -> tuple[int, int, int]:
    comment.refresh_from_db()
    return comment.upvotes, comment.downvotes, comment.score


@pytest.fixture
def comment(article):
    return make_posted_comment(article, "Worth voting on.")


@pytest.fixture
def reader():
    return make_user("voter")


def test_signed_in_reader_upvotes_and_lands_back_on_the_comment(reader, comment):
    response = send_vote(signed_in(reader), comment, "up", as_json=False)

    assert response.status_code == 302
    assert response["Location"] == f"/comments/{comment.pk}/"
    vote = Vote.objects.get()
    assert (vote.comment, vote.user, vote.voter_key, vote.value) == (comment, reader, "", 1)
    assert counts(comment) == (1, 0, 1)


def test_vote_from_a_script_answers_with_the_new_counts(reader, comment):
    response = send_vote(signed_in(reader), comment, "down")

    assert response.status_code == 200
    assert response.json() == {"ok": True, "score": -1, "upvotes": 0, "downvotes": 1, "vote": -1}
    assert counts(comment) == (0, 1, -1)


def test_vote_can_be_changed_and_taken_back(reader, comment):
    client = signed_in(reader)

    send_vote(client, comment, "up")
    changed = send_vote(client, comment, "down")

    assert changed.json()["score"] == -1
    assert list(Vote.objects.values_list("user", "value")) == [(reader.pk, -1)]
    cleared = send_vote(client, comment, "clear")
    assert cleared.json() == {"ok": True, "score": 0, "upvotes": 0, "downvotes": 0, "vote": 0}
    assert not Vote.objects.exists()
    assert counts(comment) == (0, 0, 0)


def test_voting_twice_the_same_way_keeps_one_vote(reader, comment):
    client = signed_in(reader)

    send_vote(client, comment, "up")
    again = send_vote(client, comment, "up")

    assert again.json()["score"] == 1
    assert Vote.objects.count() == 1


def test_each_reader_has_their_own_vote(comment):
    for _ in range(3):
        send_vote(signed_in(make_user()), comment, "up")
    send_vote(signed_in(make_user()), comment, "down")

    assert counts(comment) == (3, 1, 2)
    assert Vote.objects.count() == 4


def test_guest_vote_is_kept_by_a_signed_browser_cookie(client, comment):
    first = send_vote(client, comment, "up")

    assert identity.COOKIE in first.cookies
    assert first.cookies[identity.COOKIE]["httponly"] is True
    second = send_vote(client, comment, "down")

    assert second.json()["score"] == -1
    vote = Vote.objects.get()
    assert (vote.user, vote.value, vote.ip_address) == (None, -1, "127.0.0.1")
    assert re.fullmatch(r"[0-9a-f]{64}", vote.voter_key)


def test_guests_in_different_browsers_and_places_vote_separately(comment):
    send_vote(Client(), comment, "up")
    send_vote(Client(), comment, "up", REMOTE_ADDR="198.51.100.20")

    assert counts(comment) == (2, 0, 2)
    assert Vote.objects.filter(user__isnull=True).values("voter_key").distinct().count() == 2


VOTED = "Someone on your network has already voted on this comment."


def test_ten_cookie_less_upvotes_from_one_address_count_once(comment):
    responses = [send_vote(Client(), comment, "up") for _ in range(10)]

    assert [r.status_code for r in responses] == [200] + [409] * 9
    assert responses[1].json() == {"ok": False, "message": VOTED}
    assert counts(comment) == (1, 0, 1)


def test_one_guest_vote_per_comment_per_ipv6_64(comment):
    send_vote(Client(), comment, "up", REMOTE_ADDR="2001:db8:5:6::1")
    same_home = send_vote(Client(), comment, "up", REMOTE_ADDR="2001:db8:5:6:ffff::9")
    next_door = send_vote(Client(), comment, "up", REMOTE_ADDR="2001:db8:5:7::1")

    assert (same_home.status_code, next_door.status_code) == (409, 200)
    assert counts(comment) == (2, 0, 2)


def test_the_voting_browser_can_still_change_its_vote_and_accounts_vote_as_before(reader, comment):
    browser = Client()
    send_vote(browser, comment, "up")
    assert send_vote(browser, comment, "down").status_code == 200
    assert send_vote(signed_in(reader), comment, "up").status_code == 200  # same address

    assert counts(comment) == (1, 1, 0)


def test_page_marks_the_readers_own_vote(reader, article, comment):
    client = signed_in(reader)
    send_vote(client, comment, "up")

    html = page(client, article)

    # Each button's name is its visible count with a word for screen readers: "Upvote 1".
    assert (
        '<button type="submit" name="value" value="clear" class="vote vote--up" '
        'aria-pressed="true"><span aria-hidden="true">▲</span>'
        '<span class="visually-hidden">Upvote</span> <span class="vote__count">1</span></button>'
    ) in html
    assert (
        '<button type="submit" name="value" value="down" class="vote vote--down" '
        'aria-pressed="false"><span aria-hidden="true">▼</span>'
        '<span class="visually-hidden">Downvote</span> <span class="vote__count">0</span></button>'
    ) in html
    other = page(Client(), article)
    assert 'value="up" class="vote vote--up" aria-pressed="false"><span' in other


# --- Not on one's own comment ----------------------------------------------------------------


def test_reader_cannot_vote_on_their_own_comment(reader, article):
    mine = make_posted_comment(article, author=member(reader))

    response = send_vote(signed_in(reader), mine, "up")

    assert response.status_code == 403
    assert response.json() == {"ok": False, "message": "You cannot vote on your own comment."}
    assert not Vote.objects.exists()
    assert counts(mine) == (0, 0, 0)


def test_own_vote_refusal_is_shown_on_the_page_without_javascript(reader, article):
    mine = make_posted_comment(article, author=member(reader))

    response = send_vote(signed_in(reader), mine, "up", as_json=False, follow=True)

    assert response.redirect_chain[0] == (f"/comments/{mine.pk}/", 302)
    assert response.status_code == 200
    assert (
        '<p class="message message--error">You cannot vote on your own comment.</p>'
        in response.content.decode()
    )


def test_guest_cannot_vote_on_a_comment_from_their_own_browser(client, article):
    mine = Comment.objects.get(pk=posted_id(post(client, article, "My own words.")))

    response = send_vote(client, mine, "up")

    assert response.status_code == 403
    assert not Vote.objects.exists()


def test_own_comment_shows_its_counts_instead_of_vote_buttons(reader, article):
    mine = make_posted_comment(article, "Mine.", author=member(reader))
    send_vote(signed_in(make_user()), mine, "up")

    html = page(signed_in(reader), article)

    assert '<span class="vote-summary">▲ 1 ▼ 0</span>' in html
    assert f'action="/comments/{mine.pk}/vote/"' not in html


# --- Guests: a limit per address -------------------------------------------------------------


def test_guest_votes_are_limited_per_address_and_hour(settings, article):
    settings.COMMENTS_GUEST_VOTES_PER_HOUR = 2
    comments = [make_posted_comment(article) for _ in range(3)]

    assert send_vote(Client(), comments[0], "up").status_code == 200
    assert send_vote(Client(), comments[1], "up").status_code == 200
    refused = send_vote(Client(), comments[2], "up")

    assert refused.status_code == 429
    assert refused.json() == {"ok": False, "message": TOO_MANY}
    assert 1 <= int(refused["Retry-After"]) <= 3600  # what is left of the hour
    assert Vote.objects.count() == 2
    assert counts(comments[2]) == (0, 0, 0)


def test_guest_vote_limit_is_counted_in_the_shared_store(settings, article):
    from newsroom.models import Counter

    settings.COMMENTS_GUEST_VOTES_PER_HOUR = 1
    first, second = make_posted_comment(article), make_posted_comment(article)
    send_vote(Client(), first, "up")
    Vote.objects.all().delete()  # the cap does not read the votes: it counts attempts

    assert send_vote(Client(), second, "up").status_code == 429
    assert Counter.objects.get().count == 1  # the refused attempt is not kept


def test_guest_vote_limit_is_per_address(settings, article):
    settings.COMMENTS_GUEST_VOTES_PER_HOUR = 1
    first, second = make_posted_comment(article), make_posted_comment(article)
    send_vote(Client(), first, "up")

    response = send_vote(Client(), second, "up", REMOTE_ADDR="198.51.100.7")

    assert response.status_code == 200
    assert Vote.objects.count() == 2


def test_guest_can_change_a_vote_at_the_limit(settings, comment):
    settings.COMMENTS_GUEST_VOTES_PER_HOUR = 1
    client = Client()
    send_vote(client, comment, "up")

    assert send_vote(client, comment, "down").status_code == 200
    assert counts(comment) == (0, 1, -1)


def test_signed_in_readers_are_not_held_to_the_guest_limit(settings, article):
    settings.COMMENTS_GUEST_VOTES_PER_HOUR = 1
    first, second = make_posted_comment(article), make_posted_comment(article)
    send_vote(Client(), first, "up")

    assert send_vote(signed_in(make_user()), second, "up").status_code == 200


def test_guest_vote_limit_cannot_be_dodged_by_forging_forwarded_addresses(settings, article):
    settings.TRUSTED_PROXY_HOPS = 1
    settings.COMMENTS_GUEST_VOTES_PER_HOUR = 1
    first, second = make_posted_comment(article), make_posted_comment(article)
    send_vote(Client(), first, "up", HTTP_X_FORWARDED_FOR="10.0.0.1, 203.0.113.9")

    response = send_vote(Client(), second, "up", HTTP_X_FORWARDED_FOR="10.0.0.2, 203.0.113.9")

    assert response.status_code == 429
    assert list(Vote.objects.values_list("ip_address", flat=True)) == ["203.0.113.9"]


def test_guest_limit_refusal_is_shown_on_the_page_without_javascript(settings, article):
    settings.COMMENTS_GUEST_VOTES_PER_HOUR = 0
    target = make_posted_comment(article)

    response = send_vote(Client(), target, "up", as_json=False, follow=True)

    assert f'<p class="message message--error">{TOO_MANY}</p>' in response.content.decode()


def test_most_voted_order_follows_the_readers_votes(article):
    quiet = make_posted_comment(article, "Quiet thread.")
    popular = make_posted_comment(article, "Popular thread.")
    disliked = make_posted_comment(article, "Disliked thread.")
    for _ in range(2):
        send_vote(Client(), popular, "up")
    send_vote(Client(), disliked, "down")

    html = page(Client(), article, comments="votes")

    positions = [html.index(c.body) for c in (popular, quiet, disliked)]
    assert positions == sorted(positions)


# --- Refusals ---------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["sideways", "1", "", "UP"])
def test_a_value_other_than_up_down_or_clear_is_refused(client, comment, value):
    response = send_vote(client, comment, value)

    assert response.status_code == 400
    assert response.json() == {"ok": False, "message": "That is not a vote."}
    assert not Vote.objects.exists()


def test_deleted_comment_can_no_longer_be_voted_on(client, article):
    author = guest()
    gone = make_posted_comment(article, author=author)
    make_posted_comment(article, parent=gone)
    delete_comment(comment=gone, actor=author)

    response = send_vote(client, gone, "up")

    assert response.status_code == 404
    assert response.json() == {"ok": False, "message": "This comment can no longer be voted on."}


def test_voting_needs_a_post(client, comment):
    assert client.get(reverse("comments:vote", args=[comment.pk])).status_code == 405


def test_guest_browser_cookie_keeps_its_votes_across_visits(comment):
    browser = guest_client("returning-voter")
    send_vote(browser, comment, "up")

    again = guest_client("returning-voter")
    send_vote(again, comment, "clear")

    assert not Vote.objects.exists()
    assert counts(comment) == (0, 0, 0)


def test_guest_own_comment_is_recognised_by_the_browser_key(article):
    mine = make_posted_comment(article, author=guest(key="my-browser"))

    response = send_vote(guest_client("my-browser"), mine, "up")

    assert response.status_code == 403
