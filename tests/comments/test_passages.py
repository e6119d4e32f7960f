"""Comments on one passage of the article: the paragraph and the words quoted are checked
against the article, shown above the comment and linked back to the paragraph; readers
without JavaScript pick the paragraph from a list; a refused passage keeps what was typed."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from articles.formatting import paragraphs, render_body
from comments import passages, services
from comments.domain import CommentRefused
from comments.models import Comment
from tests.comments.helpers import (
    JSON,
    change_article,
    guest,
    kept,
    make_posted_comment,
    page,
    post,
)
from tests.helpers import make_article

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reader_settings")]

BODY = (
    "The council voted 7 to 2 for the bridge on Tuesday.\n\n"
    'Building starts in March and should take "about two years", the engineer said.\n\n'
    "> Traffic on the old crossing will be diverted.\n\n"
    "Residents can comment until 1 February."
)


@pytest.fixture
def story():
    return make_article(headline="Bridge vote", slug="bridge-vote", body=BODY)


# --- The article's paragraphs ----------------------------------------------------------------


def test_each_paragraph_of_an_article_gets_an_id_in_order():
    html = render_body("One.\n\n> Two.\n\n- a list item\n\nThree  \nlines.\n\n    <p>code</p>")

    assert '<p id="para-1">One.</p>' in html
    assert '<p id="para-2">Two.</p>' in html  # a paragraph inside a quotation counts too
    assert '<p id="para-3">Three<br>' in html
    assert html.count("<p id=") == 3  # list items and code are not passages
    assert paragraphs(html) == ["One.", "Two.", "Three lines."]


def test_paragraph_text_is_what_a_reader_sees_typographic_quotes_and_all(story):
    texts = passages.article_paragraphs(story)

    assert texts[1] == (
        "Building starts in March and should take “about two years”, the engineer said."
    )
    assert len(texts) == 4


# --- Choosing a passage ----------------------------------------------------------------------


def test_words_from_the_paragraph_are_quoted_exactly_whatever_the_spacing(story):
    chosen = passages.choose(story, 2, "  take “about\n two years”,  ")

    assert chosen == passages.Passage(2, "take “about two years”,")


def test_no_words_quotes_the_opening_of_the_paragraph(settings):
    long = make_article(body=" ".join(["word"] * 200))
    chosen = passages.choose(long, 1)

    assert chosen.quote.startswith("word word")
    assert len(chosen.quote) == passages.WHOLE_PARAGRAPH_SHOWN
    assert chosen.quote.endswith("…")


@pytest.mark.parametrize(
    ("number", "words", "message"),
    [
        (9, "", "That passage is no longer in the article"),
        (1, "voted 9 to 0", "The words you quoted are not in that passage"),
        (2, "The council voted", "The words you quoted are not in that passage"),  # other one
        # A look-alike letter (Cyrillic o) is another letter.
        (1, "The c\u043euncil voted", "The words you quoted are not in that passage"),
        (1, "The council voted 7 to 2" + " x" * 400, "Quote at most 600 characters"),
    ],
)
def test_a_passage_the_article_never_printed_is_refused(story, number, words, message):
    with pytest.raises(CommentRefused) as refused:
        passages.choose(story, number, words)

    assert message in refused.value.message


def test_a_reply_cannot_carry_a_passage_even_past_the_form(story):
    root = make_posted_comment(story, "A thread.")
    with pytest.raises(CommentRefused):
        services.post_comment(
            article=story,
            parent=root,
            author=guest(),
            body="A reply.",
            passage=passages.Passage(1, "The council"),
        )
    with pytest.raises(IntegrityError), transaction.atomic():  # nor past the service
        Comment.objects.filter(pk=root.pk).update(quote="")
        Comment.objects.create(article=story, parent=root, body="x", passage=1, quote="x")


# --- Posting one, and reading it -------------------------------------------------------------


def test_a_comment_on_a_passage_shows_the_words_linked_to_the_paragraph(client, story):
    # The article prints typographic quotes: straight ones are not its words.
    response = post(
        client, story, "Two years sounds hopeful.", passage=2, quote='"about two years"'
    )

    assert response.status_code == 400
    response = post(
        client, story, "Two years sounds hopeful.", passage=2, quote="“about two years”"
    )
    assert response.status_code == 302
    comment = Comment.objects.get()
    assert (comment.passage, comment.quote) == (2, "“about two years”")
    html = page(Client(), story)
    assert "<blockquote><p>“about two years”</p></blockquote>" in html
    assert '<a href="/articles/bridge-vote/#para-2">On this passage of the article</a>' in html
    assert '<p id="para-2">' in html


def test_a_passage_the_article_never_printed_is_refused_with_the_text_kept(client, story):
    response = post(client, story, "My careful point.", passage=1, quote="voted 9 to 0")

    assert response.status_code == 400
    html = response.content.decode()
    assert "The words you quoted are not in that passage of the article." in html
    assert kept("My careful point.") in html
    assert Comment.objects.count() == 0


def test_a_refusal_answers_json_to_the_script(client, story):
    response = post(client, story, "Hmm.", as_json=True, passage=7, quote="x")

    assert response.status_code == 400
    assert "passage" in response.json()["errors"]


def test_a_reply_with_a_passage_is_refused_with_a_message(client, story):
    root = make_posted_comment(story, "A thread.")
    response = post(client, story, "A reply.", parent=root.pk, passage=1, quote="The council")

    assert response.status_code == 400
    assert "A reply cannot quote the article." in response.content.decode()


@pytest.mark.parametrize("passage", ["0", "-1", "x", "99999", "1e3", "\x00"])
def test_nonsense_passage_numbers_get_a_400_never_a_500(client, story, passage):
    response = post(client, story, "Still here.", passage=passage, quote="The council")

    assert response.status_code == 400
    assert kept("Still here.") in response.content.decode()


# --- Without JavaScript: the list of paragraphs ----------------------------------------------


def test_the_passage_page_lists_every_paragraph_to_choose_from(client, story):
    response = client.get(reverse("comments:passage", args=[story.pk]))

    assert response.status_code == 200
    html = response.content.decode()
    assert "<legend>The passage your comment is about:</legend>" in html
    assert html.count('type="radio" name="passage"') == 4
    assert "Residents can comment until 1 February." in html
    assert 'name="choose_passage" value="True"' in html


def test_the_article_links_to_the_passage_page(client, story):
    assert reverse("comments:passage", args=[story.pk]) in page(client, story)


def test_choosing_a_paragraph_without_javascript_quotes_its_opening(client, story):
    response = post(client, story, "About the diversion.", passage=3, choose_passage="True")

    assert response.status_code == 302
    comment = Comment.objects.get()
    assert (comment.passage, comment.quote) == (3, "Traffic on the old crossing will be diverted.")


def test_forgetting_to_choose_a_paragraph_says_so_and_keeps_the_list(client, story):
    response = post(client, story, "Which one?", choose_passage="True")

    assert response.status_code == 400
    html = response.content.decode()
    assert "Choose the passage your comment is about." in html
    assert html.count('type="radio" name="passage"') == 4
    assert kept("Which one?") in html


def test_the_passage_page_of_a_missing_or_closed_article_says_so(client, story):
    assert client.get(reverse("comments:passage", args=[987654])).status_code == 404
    listless = make_article(body="- only\n- a list")
    assert reverse("comments:passage", args=[listless.pk]) not in page(client, listless)
    assert client.get(reverse("comments:passage", args=[listless.pk])).status_code == 404
    change_article(story, comments_open=False)
    response = client.get(reverse("comments:passage", args=[story.pk]))
    assert response.status_code == 403


def test_the_api_carries_the_passage(client, story):
    post(client, story, "Noted.", passage=4, quote="1 February")
    data = client.get(reverse("comments:api", args=[story.slug]), headers=JSON).json()

    [thread] = data["comments"]
    assert thread["passage"] == {"paragraph": 4, "quote": "1 February"}
