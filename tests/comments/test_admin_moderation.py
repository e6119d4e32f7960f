"""The moderation desk in the admin, used by a member of the "Moderators" group."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from articles.models import Article
from comments.models import Ban, Comment, ModerationEvent, Status
from tests.comments.moderation_support import (
    events,
    guest,
    make_comment_row,
    member,
    report,
)
from tests.helpers import make_article, make_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("moderation_policy")]

CHANGELIST = "/admin/comments/comment/"


def templates(response) -> list[str]:
    return [t.name for t in response.templates]


def act(client, action: str, comments, **data):
    return client.post(
        CHANGELIST,
        {"action": action, "_selected_action": [c.pk for c in comments], **data},
        follow=True,
    )


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


# --- Roles -----------------------------------------------------------------------------------


def test_moderators_group_has_exactly_the_moderation_permissions():
    codenames = set(
        Group.objects.get(name="Moderators").permissions.values_list("codename", flat=True)
    )
    assert codenames == {
        "moderate_comment",
        "change_comment",
        "view_comment",
        "change_flag",
        "view_flag",
        "add_ban",
        "change_ban",
        "delete_ban",
        "view_ban",
        "add_wordrule",
        "change_wordrule",
        "delete_wordrule",
        "view_wordrule",
        "view_moderationevent",
        "view_article",
    }


def test_editors_can_moderate_as_well_as_edit():
    codenames = set(
        Group.objects.get(name="Editors").permissions.values_list("codename", flat=True)
    )
    assert {"moderate_comment", "change_comment", "add_ban", "change_article"} <= codenames


def test_moderators_cannot_write_or_edit_articles(mod_client, article):
    assert mod_client.get("/admin/articles/article/add/").status_code == 403
    response = mod_client.post(
        f"/admin/articles/article/{article.pk}/change/", {"headline": "Changed"}
    )
    assert response.status_code == 403
    article.refresh_from_db()
    assert article.headline == "Council approves the new bridge"


def test_moderators_can_close_and_reopen_a_discussion_from_the_article_list(mod_client, article):
    response = mod_client.post(
        "/admin/articles/article/",
        {"action": "close_discussion", "_selected_action": [article.pk]},
        follow=True,
    )
    assert messages_of(response) == ["1 discussion closed."]
    article.refresh_from_db()
    assert article.comments_open is False
    mod_client.post(
        "/admin/articles/article/",
        {"action": "reopen_discussion", "_selected_action": [article.pk]},
    )
    article.refresh_from_db()
    assert article.comments_open is True
    assert list(
        ModerationEvent.objects.filter(article=article).values_list("action", "actor__username")
    ) == [("reopened", "mod"), ("closed", "mod")]


def test_moderators_cannot_publish_articles(mod_client):
    draft = make_article(status=Article.Status.DRAFT, published_at=None)
    mod_client.post(
        "/admin/articles/article/", {"action": "publish", "_selected_action": [draft.pk]}
    )
    draft.refresh_from_db()
    assert draft.status == Article.Status.DRAFT


def test_staff_without_the_moderators_group_cannot_see_comments(client):
    client.force_login(make_user(is_staff=True))
    assert client.get(CHANGELIST).status_code == 403


def test_editors_use_the_moderation_desk_too(client, editor, article):
    comment = make_comment_row(article, status=Status.PENDING)
    client.force_login(editor)
    assert client.get(CHANGELIST + "?queue=pending").status_code == 200
    act(client, "approve", [comment])
    assert Comment.objects.get(pk=comment.pk).status == Status.APPROVED


# --- Pages and queues ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        CHANGELIST,
        CHANGELIST + "?queue=pending",
        CHANGELIST + "?queue=reported",
        CHANGELIST + "?queue=spam",
        CHANGELIST + "?queue=recent",
        CHANGELIST + "?q=bridge",
        CHANGELIST + "?q=203.0.113",
        CHANGELIST + "?status__exact=pending&is_featured__exact=0",
        "/admin/comments/ban/",
        "/admin/comments/ban/add/",
        "/admin/comments/ban/?active=yes",
        "/admin/comments/wordrule/",
        "/admin/comments/wordrule/add/",
        "/admin/comments/flag/",
        "/admin/comments/flag/?state=open",
        "/admin/comments/moderationevent/",
        "/admin/articles/article/",
        "/admin/",
    ],
)
def test_moderation_pages_load_for_a_moderator(mod_client, article, url):
    comment = make_comment_row(article, "About the bridge", status=Status.PENDING)
    report(comment, 1)
    assert mod_client.get(url).status_code == 200


def test_queues_show_their_counts(mod_client, article):
    make_comment_row(article, status=Status.PENDING)
    make_comment_row(article, status=Status.PENDING)
    report(make_comment_row(article), 1)
    make_comment_row(article, status=Status.SPAM)

    response = mod_client.get(CHANGELIST)

    html = response.content.decode()
    assert "Pending (2)" in html  # the queue filter
    assert "Reported (1)" in html
    assert "Spam (1)" in html
    assert "Recent (4)" in html
    assert 'href="?queue=pending">Pending <span class="queue-count">2</span>' in html  # tabs
    assert "admin/comments/comment/change_list.html" in templates(response)


def test_a_queue_lists_only_its_comments_in_its_order(mod_client, article):
    older = make_comment_row(
        article, "Older pending", status=Status.PENDING,
        created_at=timezone.now() - timedelta(hours=2),
    )  # fmt: skip
    newer = make_comment_row(article, "Newer pending", status=Status.PENDING)
    make_comment_row(article, "Approved one")

    response = mod_client.get(CHANGELIST + "?queue=pending")

    assert list(response.context["cl"].result_list) == [older, newer]  # first come, first served
    assert "admin/comments/comment/queue_change_list.html" in templates(response)


def test_reported_queue_puts_the_most_reported_first(mod_client, article):
    once = make_comment_row(article)
    report(once, 1)
    thrice = make_comment_row(article, status=Status.PENDING)
    report(thrice, 3)
    response = mod_client.get(CHANGELIST + "?queue=reported")
    assert list(response.context["cl"].result_list) == [thrice, once]


@pytest.mark.parametrize("query", ["", "?queue=pending", "?queue=reported"])
def test_comment_lists_cost_the_same_queries_however_many_comments_they_show(
    mod_client, article, query
):
    def queries_for_a_page_of(n: int) -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        Comment.objects.all().delete()
        for _ in range(n):
            parent = make_comment_row(article, status=Status.PENDING, author=member(make_user()))
            report(make_comment_row(article, parent=parent, status=Status.PENDING), 1)
        with CaptureQueriesContext(connection) as captured:
            assert mod_client.get(CHANGELIST + query).status_code == 200
        return len(captured)

    mod_client.get(CHANGELIST)  # warm the caches (content types) first
    assert queries_for_a_page_of(2) == queries_for_a_page_of(10)


def test_all_comments_by_one_author(mod_client, article):
    author = guest(email="same@example.org")
    first = make_comment_row(article, author=author)
    second = make_comment_row(article, author=guest(email="SAME@example.org"))
    make_comment_row(article)
    response = mod_client.get(CHANGELIST + f"?author_of={first.pk}")
    assert set(response.context["cl"].result_list) == {first, second}


def test_the_list_never_shows_emails_or_addresses(mod_client, article):
    row = make_comment_row(article, author=guest(email="private@example.org", ip="203.0.113.77"))
    response = mod_client.get(CHANGELIST)
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [row]
    html = response.content.decode()
    assert "private@example.org" not in html
    assert "203.0.113.77" not in html


def test_a_comment_is_shown_in_context_with_email_address_and_history(mod_client, article):
    parent = make_comment_row(article, "The bridge will cost too much.", author=guest(name="Ada"))
    comment = make_comment_row(
        article,
        "It will pay for itself.",
        parent=parent,
        author=guest(name="Grace", email="grace@example.org", ip="203.0.113.8"),
        status=Status.PENDING,
    )
    ModerationEvent.objects.create(comment=comment, action="posted", to_status="pending")
    report(comment, 1)

    response = mod_client.get(f"{CHANGELIST}{comment.pk}/change/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "Council approves the new bridge" in html
    assert f'href="/admin/articles/article/{article.pk}/change/"' in html
    assert f'href="/admin/comments/comment/{parent.pk}/change/">Ada</a>' in html
    assert "The bridge will cost too much." in html
    assert "grace@example.org" in html
    assert "203.0.113.8" in html
    assert "Abusive or hateful" in html  # the readers' report
    assert "<td>Posted</td>" in html  # the history
    assert 'name="moderator_note"' in html
    assert 'name="body"' not in html  # moderators do not rewrite readers' words


def test_moderator_decides_in_the_change_form_with_a_reason(mod_client, moderator, article):
    comment = make_comment_row(article, status=Status.PENDING)
    response = mod_client.post(
        f"{CHANGELIST}{comment.pk}/change/",
        {
            "status": "approved",
            "is_featured": "on",
            "moderator_note": "Verified with the council",
            "reason": "Accurate and civil",
        },
    )
    assert response.status_code == 302
    comment.refresh_from_db()
    assert (comment.status, comment.is_featured, comment.moderator_note) == (
        Status.APPROVED,
        True,
        "Verified with the council",
    )
    assert events(comment) == [
        ("approved", "mod", "pending", "approved", "Accurate and civil"),
        ("noted", "mod", "", "", "Verified with the council"),
        ("featured", "mod", "", "", "Accurate and civil"),
    ]


def test_comments_cannot_be_added_or_deleted_in_the_admin(mod_client, article):
    comment = make_comment_row(article)
    assert mod_client.get(CHANGELIST + "add/").status_code == 403
    assert mod_client.get(f"{CHANGELIST}{comment.pk}/delete/").status_code == 403


# --- Bulk actions ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("action", "status", "message"),
    [
        ("approve", Status.APPROVED, "2 comments approved."),
        ("reject", Status.REJECTED, "2 comments rejected."),
        ("mark_spam", Status.SPAM, "2 comments marked as spam."),
        ("remove", Status.REMOVED, "2 comments removed."),
    ],
)
def test_bulk_decisions(mod_client, article, action, status, message):
    comments = [make_comment_row(article, status=Status.PENDING) for _ in range(2)]
    untouched = make_comment_row(article, status=Status.PENDING)

    response = act(mod_client, action, comments, reason="Bulk review")

    assert messages_of(response) == [message]
    assert set(Comment.objects.filter(status=status).values_list("pk", flat=True)) == {
        c.pk for c in comments
    }
    assert Comment.objects.get(pk=untouched.pk).status == Status.PENDING
    for comment in comments:
        assert events(comment)[0][1:] == ("mod", "pending", status, "Bulk review")


def test_bulk_approve_counts_the_comments_on_the_article(mod_client, article):
    comments = [make_comment_row(article, status=Status.PENDING) for _ in range(3)]
    act(mod_client, "approve", comments)
    article.refresh_from_db()
    assert article.comment_count == 3


def test_bulk_feature_and_unfeature(mod_client, article):
    approved = make_comment_row(article)
    pending = make_comment_row(article, status=Status.PENDING)

    response = act(mod_client, "feature", [approved, pending])

    assert messages_of(response) == [
        "1 comment is now an editor's pick.",
        "Only approved comments can be editor's picks.",
    ]
    assert list(Comment.objects.filter(is_featured=True)) == [approved]
    response = act(mod_client, "unfeature", [approved])
    assert messages_of(response) == ["1 comment is no longer an editor's pick."]
    assert not Comment.objects.filter(is_featured=True).exists()


def test_ban_author_action_bans_for_the_chosen_time_and_removes_the_comments(
    mod_client, moderator, article
):
    user = make_user()
    by_account = [make_comment_row(article, author=member(user)) for _ in range(2)]
    by_guest = make_comment_row(article, author=guest(email="g@example.org", ip="203.0.113.30"))

    before = timezone.now()
    response = act(
        mod_client, "ban_authors", [*by_account, by_guest], reason="Harassment", ban_for="30"
    )

    assert messages_of(response) == ["2 authors banned."]
    account_ban = Ban.objects.get(user=user)
    guest_ban = Ban.objects.get(email="g@example.org")
    assert guest_ban.network == "203.0.113.30"
    for ban in (account_ban, guest_ban):
        assert ban.reason == "Harassment"
        assert ban.created_by == moderator
        assert before + timedelta(days=30) <= ban.ends_at <= timezone.now() + timedelta(days=30)
    assert set(Comment.objects.values_list("status", flat=True)) == {Status.REMOVED}


def test_ban_author_for_good(mod_client, article):
    comment = make_comment_row(article)
    act(mod_client, "ban_authors", [comment], ban_for="")
    assert Ban.objects.get().ends_at is None


def test_non_moderators_do_not_get_the_actions(client, article):
    viewer = make_user(is_staff=True)
    from django.contrib.auth.models import Permission

    viewer.user_permissions.add(Permission.objects.get(codename="view_comment"))
    client.force_login(viewer)
    comment = make_comment_row(article, status=Status.PENDING)
    response = client.get(CHANGELIST)
    assert response.status_code == 200
    assert response.context["action_form"] is None
    client.post(CHANGELIST, {"action": "approve", "_selected_action": [comment.pk]})
    assert Comment.objects.get(pk=comment.pk).status == Status.PENDING


def test_viewers_without_moderation_rights_see_no_email_or_address(client, article):
    viewer = make_user(is_staff=True)
    from django.contrib.auth.models import Permission

    viewer.user_permissions.add(Permission.objects.get(codename="view_comment"))
    client.force_login(viewer)
    comment = make_comment_row(article, author=guest(email="hidden@example.org", ip="203.0.113.41"))
    html = client.get(f"{CHANGELIST}{comment.pk}/change/").content.decode()
    assert "hidden@example.org" not in html
    assert "203.0.113.41" not in html


def test_staff_without_the_moderate_permission_cannot_search_by_email_or_address(
    mod_client, article
):
    from django.contrib.auth.models import Permission
    from django.test import Client

    comment = make_comment_row(
        article, "About the bridge.", author=guest(email="hidden@example.org", ip="203.0.113.5")
    )
    viewer = make_user(is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_comment"))
    client = Client()
    client.force_login(viewer)

    def found(browser, term):
        response = browser.get(CHANGELIST, {"q": term})
        assert response.status_code == 200
        return list(response.context["cl"].result_list)

    assert found(client, "bridge") == [comment]
    assert found(client, "hidden@example.org") == []
    assert found(client, "203.0.113.5") == []
    assert found(mod_client, "hidden@example.org") == [comment]
    assert found(mod_client, "203.0.113.5") == [comment]
