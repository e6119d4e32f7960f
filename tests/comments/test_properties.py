"""Hostile input, generated: whatever reaches the posting, editing and voting services or the
comment forms, the outcome is a stored comment whose text reads back exactly as the service
says it stored it, or a clear refusal; never an exception. Public URLs never answer 500,
whatever the query string or headers.

Property-based (hypothesis), with bounded examples so the suite stays fast.
"""

from __future__ import annotations

from urllib.parse import quote

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from comments import services
from comments.forms import CommentForm, EditForm
from comments.models import Comment
from comments.services import Commenter, CommentRefused
from tests.comments.helpers import form_data, guest, make_posted_comment

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reader_settings")]

FAST = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Characters readers' software sends and attackers like: controls, NUL, bidi overrides,
# zero-width and other format characters, line and paragraph separators, combining marks,
# look-alikes, astral symbols.
NASTY = st.sampled_from(
    ["\x00", "\x07", "\x1b", "\x7f", "\r", "\r\n", "\u0085", "\u200b", "\u200d", "\u202e",
     "\u2066", "\ufeff", "\u2028", "\u2029", "\u0301", "\u0430", "\u2170", "💥",
     "\U000e0041", " ", "\t"]
)  # fmt: skip
TEXT = st.lists(st.one_of(st.text(max_size=30), NASTY), max_size=12).map("".join)
LONG = st.builds(lambda piece, n: piece * n, st.text(min_size=1, max_size=4), st.integers(1, 2600))
BODIES = st.one_of(TEXT, LONG)
EMAILS = st.one_of(
    st.emails(),
    TEXT,
    st.sampled_from(
        [
            "a@b",
            "@example.org",
            "a@@example.org",
            "ä@bücher.de",
            "a@[127.0.0.1]",
            "a" * 250 + "@example.org",
            "a@example.org\n",
            "a b@example.org",
            "<a@example.org>",
        ]
    ),
)
NAMES = st.one_of(TEXT, st.text(min_size=55, max_size=80))


def refused_clearly(refusal: CommentRefused) -> None:
    assert str(refusal.message).strip()
    assert 400 <= refusal.status < 500


@FAST
@given(body=BODIES, name=NAMES, email=EMAILS)
def test_posting_any_text_stores_it_exactly_or_refuses(article, body, name, email):
    author = Commenter(name=name, email=email, browser_key="prop-key", ip="192.0.2.1")
    try:
        comment = services.post_comment(article=article, parent=None, author=author, body=body)
    except CommentRefused as refusal:
        refused_clearly(refusal)
        return
    stored = Comment.objects.get(pk=comment.pk)
    assert stored.body == comment.body
    assert (stored.guest_name, stored.guest_email) == (comment.guest_name, comment.guest_email)


@FAST
@given(body=BODIES)
def test_editing_to_any_text_stores_it_exactly_or_refuses(article, body):
    author = guest("Editor", key="prop-editor")
    comment = make_posted_comment(article, "Before the edit.", author=author)
    try:
        edited = services.edit_comment(comment=comment, editor=author, body=body)
    except CommentRefused as refusal:
        refused_clearly(refusal)
        assert Comment.objects.get(pk=comment.pk).body == "Before the edit."
        return
    assert Comment.objects.get(pk=comment.pk).body == edited.body


@FAST
@given(value=st.one_of(st.integers(), st.sampled_from([-1, 0, 1])), key=TEXT)
def test_any_vote_is_counted_or_refused(article, value, key):
    comment = make_posted_comment(article, "Vote on me.")
    voter = Commenter(browser_key=key, ip="192.0.2.2")
    try:
        voted = services.vote(comment=comment, voter=voter, value=value)
    except CommentRefused as refusal:
        refused_clearly(refusal)
        return
    stored = Comment.objects.get(pk=comment.pk)
    assert (stored.upvotes, stored.downvotes) == (voted.upvotes, voted.downvotes)
    assert stored.score == stored.upvotes - stored.downvotes == max(value, 0) - max(-value, 0)


@FAST
@given(
    body=BODIES,
    name=NAMES,
    email=EMAILS,
    parent=st.one_of(st.text(max_size=25), st.integers().map(str)),
    ts=st.one_of(st.text(max_size=40), st.just(None)),
)
def test_the_comment_form_accepts_or_explains_and_the_service_agrees(
    article, body, name, email, parent, ts
):
    fields = {"name": name, "email": email, "parent": parent}
    if ts is not None:
        fields["ts"] = ts
    form = CommentForm(form_data(body, **fields), article=article)
    if not form.is_valid():
        assert form.errors and all(str(e).strip() for errs in form.errors.values() for e in errs)
        return
    author = Commenter(
        name=form.cleaned_data["name"], email=form.cleaned_data["email"], browser_key="f"
    )
    try:
        comment = services.post_comment(
            article=article, parent=form.cleaned_data["parent"], author=author,
            body=form.cleaned_data["body"],
        )  # fmt: skip
    except CommentRefused as refusal:
        refused_clearly(refusal)
        return
    assert Comment.objects.get(pk=comment.pk).body == comment.body


@FAST
@given(body=BODIES)
def test_the_edit_form_accepts_or_explains(body):
    form = EditForm({"body": body})
    if form.is_valid():
        assert isinstance(form.cleaned_data["body"], str)
    else:
        assert form.errors["body"]


HEADER_TEXT = st.text(alphabet=st.characters(max_codepoint=255), max_size=60)
QUERY_KEYS = st.one_of(
    st.sampled_from(["q", "page", "cpage", "comments", "sort", "highlight", "tag", "format"]),
    st.text(max_size=8),
)
RAW_QUERY = st.text(alphabet="abcq=&%;+:/?#[]@!$'()*,09afAF.-_~\x00 ", max_size=60)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    which=st.integers(0, 9),
    query=st.dictionaries(QUERY_KEYS, st.one_of(st.text(max_size=30), NASTY), max_size=4),
    raw=st.one_of(st.none(), RAW_QUERY),
    headers=st.fixed_dictionaries(
        {},
        optional={
            "HTTP_ACCEPT": st.one_of(HEADER_TEXT, st.just("application/json")),
            "HTTP_ACCEPT_LANGUAGE": HEADER_TEXT,
            "HTTP_COOKIE": st.one_of(HEADER_TEXT, HEADER_TEXT.map("newsroom_guest={}".format)),
            "HTTP_USER_AGENT": HEADER_TEXT,
            "HTTP_X_FORWARDED_FOR": HEADER_TEXT,
            "HTTP_IF_MODIFIED_SINCE": HEADER_TEXT,
            "HTTP_IF_NONE_MATCH": HEADER_TEXT,
            "HTTP_REFERER": HEADER_TEXT,
            "HTTP_RANGE": HEADER_TEXT,
        },
    ),
)
def test_public_urls_never_answer_500(article, which, query, raw, headers):
    comment = Comment.objects.filter(article=article).first() or make_posted_comment(article, "Hi.")
    paths = [
        "/",
        article.get_absolute_url(),
        "/search/",
        f"/comments/more/{article.pk}/",
        f"/api/articles/{article.slug}/comments/",
        f"/comments/{comment.pk}/",
        f"/comments/{comment.pk}/thread/",
        f"/articles/{article.slug}/comments/feed/",
        "/accounts/data/guest/",
        "/2019/05/an-old-permalink/",
    ]
    path = paths[which]
    client = Client(raise_request_exception=True)
    if raw is not None:
        response = client.generic("GET", f"{path}?{raw}", **headers)
    else:
        response = client.get(path, query, **headers)
    assert response.status_code < 500


@FAST
@given(
    pk=st.one_of(st.integers(min_value=0), st.sampled_from([0, 2**31, 2**63 - 1, 2**63, 10**30])),
    which=st.integers(0, 7),
    slug=st.text(max_size=20),
    as_json=st.booleans(),
)
def test_bad_ids_and_slugs_are_404_or_a_refusal_never_a_500(article, pk, which, slug, as_json):
    headers = {"HTTP_ACCEPT": "application/json"} if as_json else {}
    client = Client()
    requests = [
        ("get", f"/comments/{pk}/"),
        ("get", f"/comments/{pk}/thread/"),
        ("get", f"/comments/{pk}/reply/"),
        ("get", f"/comments/more/{pk}/"),
        ("post", f"/comments/{pk}/vote/"),
        ("post", f"/comments/{pk}/report/"),
        ("post", f"/comments/post/{pk}/"),
        ("get", f"/api/articles/{quote(slug)}/comments/"),
    ]
    method, url = requests[which]
    data = {"value": "up", "reason": "spam", **form_data("Hello.", parent=str(pk))}
    response = getattr(client, method)(url, data if method == "post" else None, **headers)
    assert response.status_code < 500
