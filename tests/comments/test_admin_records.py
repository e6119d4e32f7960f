"""Bans, word lists, readers' reports and the audit trail in the admin, as a moderator."""

from __future__ import annotations

import pytest

from comments.models import Ban, ModerationEvent, WordRule
from tests.comments.moderation_support import make_comment_row, report

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("moderation_policy")]


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


# --- Bans and word lists in the admin ---------------------------------------------------------


def ban_form(**fields) -> dict:
    data = {"user": "", "email": "", "network": "", "ends_at_0": "", "ends_at_1": "", "reason": ""}
    data.update(fields)
    return data


def test_moderator_bans_a_range_in_the_admin(mod_client, moderator):
    response = mod_client.post(
        "/admin/comments/ban/add/", ban_form(network="203.0.113.9/24", reason="Botnet")
    )
    assert response.status_code == 302
    ban = Ban.objects.get()
    assert (ban.network, ban.created_by, ban.reason) == ("203.0.113.0/24", moderator, "Botnet")
    assert ModerationEvent.objects.get(action="banned").actor == moderator


def test_ban_form_refuses_a_bad_range_and_an_empty_ban(mod_client):
    response = mod_client.post("/admin/comments/ban/add/", ban_form(network="not-an-ip"))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "network": ["“not-an-ip” is not an address or a range (like 203.0.113.0/24)."]
    }
    response = mod_client.post("/admin/comments/ban/add/", ban_form(reason="Nobody"))
    assert response.context["adminform"].form.non_field_errors() == [
        "Name an account, an email address or an address to ban."
    ]
    assert not Ban.objects.exists()


def test_lift_bans_action(mod_client):
    ban = Ban.objects.create(email="x@example.org")
    response = mod_client.post(
        "/admin/comments/ban/", {"action": "lift", "_selected_action": [ban.pk]}, follow=True
    )
    assert messages_of(response) == ["1 ban lifted."]
    assert not Ban.objects.active().exists()


def test_moderator_edits_the_word_lists(mod_client):
    response = mod_client.post(
        "/admin/comments/wordrule/add/", {"phrase": "  buy   now ", "action": "ban"}
    )
    assert response.status_code == 302
    assert WordRule.objects.get().phrase == "buy now"
    response = mod_client.post(
        "/admin/comments/wordrule/add/", {"phrase": "BUY NOW", "action": "suspect"}
    )
    assert response.context["adminform"].form.errors == {
        "phrase": ["That word or phrase already has a rule."]
    }


def test_audit_trail_and_reports_are_read_only(mod_client, article):
    comment = make_comment_row(article)
    flag = report(comment, 1)[0]
    event = ModerationEvent.objects.create(comment=comment, action="posted")
    assert mod_client.get("/admin/comments/moderationevent/add/").status_code == 403
    assert mod_client.get("/admin/comments/flag/add/").status_code == 403
    view = mod_client.get(f"/admin/comments/moderationevent/{event.pk}/change/")
    assert view.status_code == 200
    assert view.context["has_change_permission"] is False
    assert mod_client.post(f"/admin/comments/flag/{flag.pk}/delete/").status_code == 403
