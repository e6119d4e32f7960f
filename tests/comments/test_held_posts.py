"""What the reader is told when the moderation checks hold or refuse their comment."""

import pytest
from django.test import Client

from comments.models import Comment, ModerationEvent, Status, WordRule
from tests.comments.helpers import post

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reader_settings")]

SPAM_CHECKER = "tests.comments.test_moderation_spam.AlwaysSpam"
HELD = "Thanks. Your comment is awaiting moderation and will appear once approved."


def test_comment_caught_as_spam_is_saved_and_its_author_told_it_is_held(article, settings):
    settings.COMMENTS_SPAM_CHECKER = SPAM_CHECKER
    client = Client()
    response = post(client, article, "Buy cheap watches")
    comment = Comment.objects.get()
    assert comment.status == Status.SPAM
    assert response.status_code == 302
    assert response["Location"] == f"{article.get_absolute_url()}#comments"
    page = client.get(response["Location"]).content.decode()
    assert HELD in page
    assert "Buy cheap watches" not in page


def test_comment_caught_as_spam_is_not_rendered_in_the_json_answer(article, settings):
    settings.COMMENTS_SPAM_CHECKER = SPAM_CHECKER
    response = post(Client(), article, "Buy cheap watches", as_json=True)
    assert response.status_code == 201
    data = response.json()
    assert (data["ok"], data["status"], data["message"]) == (True, "pending", HELD)
    assert "html" not in data and "url" not in data


def test_held_comment_records_why_it_was_held(article):
    WordRule.objects.create(phrase="lawsuit", action=WordRule.Action.SUSPECT)
    post(Client(), article, "There will be a lawsuit over this")
    comment = Comment.objects.get()
    assert comment.status == Status.PENDING
    event = ModerationEvent.objects.get(comment=comment, action="posted")
    assert "lawsuit" in event.reason


def test_rate_limited_reader_is_told_when_to_try_again(article, settings):
    settings.COMMENTS_RATE_LIMITS = "1/minute"
    client = Client()
    assert post(client, article, "First").status_code == 302
    response = post(client, article, "Second, too soon")
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "Second, too soon" in response.content.decode()  # the text is kept
    assert Comment.objects.count() == 1
