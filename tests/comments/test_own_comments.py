"""Own comments: edit within 15 minutes (guests through their browser cookie), delete any time;
a deleted comment with replies stays as a placeholder, without replies it disappears."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from comments.models import Comment
from tests.comments.helpers import (
    JSON,
    guest,
    guest_client,
    kept,
    make_chain,
    make_posted_comment,
    member,
    page,
    post,
    posted_id,
    signed_in,
)
from tests.helpers import make_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reader_settings")]

WINDOW = "Comments can be edited for 15 minutes after posting."
PLACEHOLDER = '<p class="comment__removed">Comment deleted</p>'


def edit_url(comment: Comment) -> str:
    return reverse("comments:edit", args=[comment.pk])


def delete_url(comment: Comment) -> str:
    return reverse("comments:delete", args=[comment.pk])


def age(comment: Comment, minutes: int) -> Comment:
    Comment.objects.filter(pk=comment.pk).update(
        created_at=timezone.now() - timedelta(minutes=minutes)
    )
    comment.refresh_from_db()
    return comment


@pytest.fixture
def reader():
    return make_user("writer-of-comments")


@pytest.fixture
def mine(article, reader):
    return make_posted_comment(article, "First draft.", author=member(reader))


# --- Editing ---------------------------------------------------------------------------------


def test_author_edits_their_comment_within_15_minutes(reader, article, mine):
    client = signed_in(reader)
    age(mine, 14)

    form = client.get(edit_url(mine))
    response = client.post(edit_url(mine), {"body": "  Second draft.\r\nBetter.  "}, follow=True)

    assert form.status_code == 200
    assert "comments/edit.html" in [t.name for t in form.templates]
    assert kept("First draft.") in form.content.decode()
    assert response.redirect_chain[0] == (f"/comments/{mine.pk}/", 302)
    mine.refresh_from_db()
    assert mine.body == "Second draft.\nBetter."
    assert mine.edited_at is not None
    html = response.content.decode()
    assert '<p class="message message--success">Your comment has been updated.</p>' in html
    assert "<p>Second draft.<br>Better.</p>" in html
    assert '<span class="comment__edited">edited</span>' in html


def test_guest_edits_through_the_browser_that_posted(client, article):
    pk = posted_id(post(client, article, "Guest draft."))

    response = client.post(reverse("comments:edit", args=[pk]), {"body": "Guest final."})

    assert response.status_code == 302
    assert Comment.objects.get(pk=pk).body == "Guest final."


def test_edit_from_a_script_answers_with_the_rendered_comment(reader, mine):
    response = signed_in(reader).post(edit_url(mine), {"body": "Scripted."}, headers=JSON)

    assert response.status_code == 200
    data = response.json()
    assert data["ok"] is True
    assert '<div class="comment__body"><p>Scripted.</p></div>' in data["html"]
    assert '<span class="comment__edited">edited</span>' in data["html"]


def test_edit_after_15_minutes_is_refused(reader, mine):
    client = signed_in(reader)
    age(mine, 16)

    form = client.get(edit_url(mine))
    response = client.post(edit_url(mine), {"body": "Too late."})

    assert form.status_code == 200
    assert f'<p class="message message--error">{WINDOW}</p>' in form.content.decode()
    assert response.status_code == 403
    assert f'<p class="message message--error">{WINDOW}</p>' in response.content.decode()
    assert kept("Too late.") in response.content.decode()
    mine.refresh_from_db()
    assert (mine.body, mine.edited_at) == ("First draft.", None)


def test_late_edit_from_a_script_gets_a_json_error(reader, mine):
    age(mine, 16)

    response = signed_in(reader).post(edit_url(mine), {"body": "Too late."}, headers=JSON)

    assert response.status_code == 403
    assert response.json() == {"ok": False, "message": WINDOW}


def test_edit_link_is_offered_only_within_the_window(reader, article, mine):
    client = signed_in(reader)
    link = f'<a class="comment__action" href="/comments/{mine.pk}/edit/" rel="nofollow">Edit</a>'
    delete = f'<a class="comment__action" href="/comments/{mine.pk}/delete/" rel="nofollow">'

    assert link in page(client, article)
    age(mine, 16)
    html = page(client, article)
    assert link not in html
    assert delete in html


def test_edit_and_delete_links_are_not_offered_to_other_readers(article, mine):
    html = page(signed_in(make_user()), article)

    assert f"/comments/{mine.pk}/edit/" not in html
    assert f"/comments/{mine.pk}/delete/" not in html


@pytest.mark.parametrize("body", ["", "   ", "x" * 5001, "Bell\x07"])
def test_edit_with_bad_text_is_refused_and_the_text_kept(reader, mine, body):
    response = signed_in(reader).post(edit_url(mine), {"body": body})

    assert response.status_code == 400
    html = response.content.decode()
    assert 'class="errorlist' in html
    assert kept(body) in html
    mine.refresh_from_db()
    assert mine.body == "First draft."


@pytest.mark.parametrize(
    "intruder",
    [
        pytest.param(lambda: Client(), id="guest"),
        pytest.param(lambda: signed_in(make_user()), id="other-account"),
    ],
)
def test_other_readers_cannot_edit_or_delete(intruder, mine):
    client = intruder()

    assert client.get(edit_url(mine)).status_code == 404
    assert client.post(edit_url(mine), {"body": "Hijacked."}).status_code == 404
    assert client.get(delete_url(mine)).status_code == 404
    assert client.post(delete_url(mine)).status_code == 404
    mine.refresh_from_db()
    assert (mine.body, mine.is_deleted) == ("First draft.", False)


def test_another_guest_browser_cannot_edit_a_guest_comment(article):
    comment = make_posted_comment(article, "Guest words.", author=guest(key="browser-a"))

    assert guest_client("browser-b").get(edit_url(comment)).status_code == 404
    assert guest_client("browser-a").get(edit_url(comment)).status_code == 200


def test_signing_in_does_not_claim_guest_comments(client, article, reader):
    pk = posted_id(post(client, article, "Posted as a guest."))
    client.force_login(reader)

    assert client.get(reverse("comments:edit", args=[pk])).status_code == 404


# --- Deleting --------------------------------------------------------------------------------


def test_delete_asks_for_confirmation(reader, mine):
    response = signed_in(reader).get(delete_url(mine))

    assert response.status_code == 200
    assert "comments/delete.html" in [t.name for t in response.templates]
    assert '<button type="submit" class="button">Delete comment</button>' in (
        response.content.decode()
    )
    assert Comment.objects.filter(pk=mine.pk).exists()


def test_deleted_comment_without_replies_disappears(reader, article, mine):
    client = signed_in(reader)

    response = client.post(delete_url(mine), follow=True)

    assert response.redirect_chain == [("/articles/new-bridge/#comments", 302)]
    assert not Comment.objects.filter(pk=mine.pk).exists()
    html = response.content.decode()
    assert '<p class="message message--success">Your comment has been deleted.</p>' in html
    assert f'id="c{mine.pk}"' not in html
    assert PLACEHOLDER not in html
    assert '<h2 id="comments-heading" class="comments__heading">0 Comments</h2>' in html


def test_deleted_comment_with_replies_stays_as_a_placeholder(reader, article, mine):
    reply = make_posted_comment(article, "An answer.", parent=mine)

    response = signed_in(reader).post(delete_url(mine))

    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.is_deleted is True
    html = page(Client(), article)
    placeholder = html[html.index(f'id="c{mine.pk}"') : html.index(f'id="c{reply.pk}"')]
    assert PLACEHOLDER in placeholder
    assert "First draft." not in html
    assert "writer-of-comments" not in html
    assert f"/comments/{mine.pk}/vote/" not in html
    assert "<p>An answer.</p>" in html
    assert '<h2 id="comments-heading" class="comments__heading">1 Comment</h2>' in html


def test_placeholder_disappears_with_its_last_reply(article):
    first, second = guest(key="first-browser"), guest(key="second-browser")
    root = make_posted_comment(article, "Root.", author=first)
    reply = make_posted_comment(article, "Only reply.", parent=root, author=second)
    guest_client("first-browser").post(delete_url(root))
    assert PLACEHOLDER in page(Client(), article)

    guest_client("second-browser").post(delete_url(reply))

    html = page(Client(), article)
    assert PLACEHOLDER not in html
    assert f'id="c{root.pk}"' not in html
    assert '<p class="comments__empty">No comments yet.</p>' in html


def test_placeholder_in_the_middle_of_a_thread_keeps_the_replies_below_it(article):
    author = guest(key="middle-browser")
    root = make_posted_comment(article, "Root.")
    middle = make_posted_comment(article, "Middle.", parent=root, author=author)
    make_posted_comment(article, "Below.", parent=middle)

    guest_client("middle-browser").post(delete_url(middle))

    html = page(Client(), article)
    assert html.index("<p>Root.</p>") < html.index(PLACEHOLDER) < html.index("<p>Below.</p>")
    assert "Middle." not in html


def test_continued_thread_under_a_placeholder_does_not_name_its_author(article):
    chain = make_chain(article, 5)
    author = guest("Vanishing Vera", key="vera-browser")
    deep = make_posted_comment(
        article, "Level five, soon deleted.", parent=chain[-1], author=author
    )
    make_posted_comment(article, "Level six.", parent=deep)
    guest_client("vera-browser").post(delete_url(deep))

    html = page(Client(), article)
    link = f'<a href="/comments/{deep.pk}/thread/">Continue this thread (1 more reply)</a>'
    assert link in html
    thread = Client().get(f"/comments/{deep.pk}/thread/").content.decode()

    assert "<p>Level six.</p>" in thread
    assert PLACEHOLDER in thread
    assert "Vanishing Vera" not in thread


def test_comments_can_be_deleted_long_after_posting(reader, mine):
    age(mine, 60 * 24 * 30)

    assert signed_in(reader).post(delete_url(mine)).status_code == 302
    assert not Comment.objects.filter(pk=mine.pk).exists()


def test_guest_deletes_through_the_browser_that_posted(client, article):
    pk = posted_id(post(client, article, "Regret."))

    response = client.post(reverse("comments:delete", args=[pk]), headers=JSON)

    assert response.status_code == 200
    assert response.json() == {"ok": True}
    assert not Comment.objects.filter(pk=pk).exists()


def test_a_deleted_placeholder_cannot_be_deleted_or_edited_again(reader, article, mine):
    make_posted_comment(article, parent=mine)
    client = signed_in(reader)
    client.post(delete_url(mine))

    assert client.post(delete_url(mine)).status_code == 404
    response = client.post(edit_url(mine), {"body": "Back from the dead."})
    assert response.status_code == 403
    mine.refresh_from_db()
    assert mine.body == "First draft."


@pytest.mark.parametrize("status", [Comment.Status.REMOVED, Comment.Status.SPAM])
def test_a_moderated_comment_cannot_be_deleted_by_its_author(reader, article, mine, status):
    from comments import moderation
    from comments.models import ModerationEvent
    from comments.moderation import is_trusted
    from tests.comments.moderation_support import make_moderator

    moderation.moderate(comments=[mine], actor=make_moderator(), action=DECISIONS[status])
    events = ModerationEvent.objects.filter(comment=mine).count()
    client = signed_in(reader)

    page_response = client.get(delete_url(mine))
    response = client.post(delete_url(mine))
    scripted = client.post(delete_url(mine), headers=JSON)

    refused = "A moderator has acted on this comment, so it can no longer be deleted."
    assert page_response.status_code == response.status_code == 403
    assert refused in response.content.decode()
    assert "Delete comment</button>" not in page_response.content.decode()
    assert (scripted.status_code, scripted.json()["message"]) == (403, refused)
    mine.refresh_from_db()
    assert (mine.status, mine.is_deleted) == (status, False)
    assert ModerationEvent.objects.filter(comment=mine).count() == events
    for n in range(3):
        make_posted_comment(article, f"Good comment {n}.", author=member(reader))
    assert is_trusted(member(reader)) is False  # the bad mark still counts


DECISIONS = {Comment.Status.REMOVED: "remove", Comment.Status.SPAM: "spam"}


def test_edits_are_rate_limited_with_a_clear_message(reader, mine, settings):
    settings.COMMENTS_EDIT_RATE_LIMITS = "3/minute"
    client = signed_in(reader)
    for n in range(3):
        assert client.post(edit_url(mine), {"body": f"Draft {n}."}).status_code == 302
    response = client.post(edit_url(mine), {"body": "Draft 4."})
    scripted = client.post(edit_url(mine), {"body": "Draft 5."}, headers=JSON)

    assert response.status_code == scripted.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    assert "You are editing faster than we can keep up with." in response.content.decode()
    assert kept("Draft 4.") in response.content.decode()
    assert scripted.json()["message"].startswith("You are editing faster")
    mine.refresh_from_db()
    assert mine.body == "Draft 2."


# --- What moderators hold is theirs (the review's finding 6) ---------------------------------


def hide_by_reports(comment: Comment) -> None:
    from comments import services
    from comments.domain import Commenter

    for n in range(3):  # three readers on three networks
        reporter = Commenter(name="R", browser_key=f"reporter-{n}", ip=f"198.51.100.{n + 1}")
        services.report(comment=comment, reporter=reporter, reason="abuse", details=f"#{n}")


def hold_by_a_moderator(comment: Comment) -> None:
    from comments import moderation
    from tests.comments.moderation_support import make_moderator

    moderation.moderate(comments=[comment], actor=make_moderator(), action="hold")


@pytest.mark.parametrize("held", [hide_by_reports, hold_by_a_moderator], ids=["hidden", "held"])
def test_the_author_cannot_edit_or_delete_a_comment_moderators_hold(reader, mine, held, settings):
    """The review: an author edited a comment readers had hidden (it came back reworded,
    reports resolved by nobody) or deleted it, taking its reports and audit trail along."""
    from comments.models import Flag, ModerationEvent

    settings.COMMENTS_REPORTS_TO_HIDE = 3
    held(mine)
    mine.refresh_from_db()
    assert mine.status == Comment.Status.PENDING
    flags, events = Flag.objects.count(), ModerationEvent.objects.filter(comment=mine).count()
    client = signed_in(reader)

    assert client.get(edit_url(mine)).status_code == 403
    edited = client.post(edit_url(mine), {"body": "Nothing to see here."})
    deleted = client.post(delete_url(mine))
    scripted = client.post(delete_url(mine), headers=JSON)

    assert edited.status_code == deleted.status_code == scripted.status_code == 403
    waiting = "A moderator is looking at this comment, so it cannot be changed for now."
    assert waiting in edited.content.decode() and waiting in deleted.content.decode()
    assert scripted.json()["message"] == waiting
    mine.refresh_from_db()
    assert (mine.body, mine.is_deleted, mine.status) == ("First draft.", False, "pending")
    assert Flag.objects.count() == flags
    assert ModerationEvent.objects.filter(comment=mine).count() == events


def test_deleting_a_reported_comment_keeps_its_reports_and_audit_trail(reader, article, mine):
    from comments import services
    from comments.domain import Commenter
    from comments.models import Flag, ModerationEvent

    reporter = Commenter(name="R", browser_key="reporter", ip="198.51.100.9")
    services.report(comment=mine, reporter=reporter, reason="abuse", details="Look at this.")
    events = list(ModerationEvent.objects.filter(comment=mine).values_list("pk", flat=True))

    assert signed_in(reader).post(delete_url(mine)).status_code == 302

    mine.refresh_from_db()  # kept, as a placeholder, for the moderators
    assert mine.is_deleted
    assert Flag.objects.filter(comment=mine, details="Look at this.").count() == 1
    assert list(ModerationEvent.objects.filter(comment=mine).values_list("pk", flat=True)) == events
    assert "First draft." not in page(Client(), article)
