"""The messages: a subscriber's digest, a moderator's digest, a guest's confirmation.

Every message has a plain-text body and an HTML alternative rendered from templates (which
escape the comment text). Subscribers' messages carry a one-click unsubscribe link in the
body and in the ``List-Unsubscribe`` / ``List-Unsubscribe-Post`` headers (RFC 8058).
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db.models import Exists, OuterRef
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from comments.domain import is_moderator
from comments.models import Comment, Flag, Status
from comments.notifications import links
from comments.notifications.models import Notification, Subscription


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _message(
    *, to: str, subject: str, template: str, context: dict, headers: dict | None = None
) -> EmailMultiAlternatives:
    context = {"site_name": settings.SITE_NAME, "site_url": settings.SITE_URL, **context}
    text = render_to_string(f"comments/email/{template}.txt", context)
    html = render_to_string(f"comments/email/{template}.html", context)
    message = EmailMultiAlternatives(
        subject=_one_line(subject), body=text, to=[to], headers=headers or {}
    )
    message.attach_alternative(html, "text/html")
    return message


def _drop(rows: list[Notification], keep: set[int]) -> list[Notification]:
    """Forget rows whose comment is no longer worth telling of; return the rest."""
    gone = [row.pk for row in rows if row.comment_id not in keep]
    if gone:
        Notification.objects.filter(pk__in=gone).delete()
    return [row for row in rows if row.comment_id in keep]


def subscriber_digest(rows: list[Notification]) -> EmailMultiAlternatives | None:
    """One email with every comment in ``rows`` (all for one subscription) still visible."""
    subscription = Subscription.objects.select_related("article", "user").get(
        pk=rows[0].subscription_id
    )
    article = subscription.article
    comments = {
        comment.pk: comment
        for comment in Comment.objects.visible()
        .filter(pk__in=[row.comment_id for row in rows])
        .select_related("user")
    }
    if not article.is_visible():
        comments = {}
    rows = _drop(rows, set(comments))
    if not rows or not subscription.recipient:
        return None
    items = [
        {
            "comment": comments[row.comment_id],
            "is_reply": row.reason == Notification.Reason.REPLY,
            "url": links.absolute(comments[row.comment_id].get_absolute_url()),
        }
        for row in rows
    ]
    if all(item["is_reply"] for item in items):
        subject = ngettext(
            "A new reply to your comment on “%(headline)s”",
            "%(count)d new replies to your comments on “%(headline)s”",
            len(items),
        )
    else:
        subject = ngettext(
            "A new comment on “%(headline)s”",
            "%(count)d new comments on “%(headline)s”",
            len(items),
        )
    unsubscribe = links.unsubscribe_url(subscription)
    return _message(
        to=subscription.recipient,
        subject=subject % {"count": len(items), "headline": article.headline},
        template="digest",
        context={
            "article": article,
            "article_url": links.absolute(article.get_absolute_url()),
            "items": items,
            "subscription": subscription,
            "unsubscribe_url": unsubscribe,
            "account_url": links.absolute(reverse("comments:subscriptions"))
            if subscription.user_id
            else "",
        },
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
        },
    )


def moderator_digest(rows: list[Notification]) -> EmailMultiAlternatives | None:
    """One email to a moderator listing the comments still waiting or still reported."""
    moderator = rows[0].moderator
    if not moderator.email or not is_moderator(moderator):
        _drop(rows, set())
        return None
    open_reports = Flag.objects.filter(comment=OuterRef("pk"), resolved_at__isnull=True)
    comments = {
        comment.pk: comment
        for comment in Comment.objects.filter(pk__in=[row.comment_id for row in rows])
        .annotate(reported=Exists(open_reports))
        .select_related("article", "user")
    }
    still = {
        row.comment_id
        for row in rows
        if row.comment_id in comments
        and (
            comments[row.comment_id].status == Status.PENDING
            if row.reason == Notification.Reason.HELD
            else comments[row.comment_id].reported
        )
    }
    rows = _drop(rows, still)
    if not rows:
        return None
    queue = reverse("admin:comments_comment_changelist")
    items = [
        {
            "comment": comments[row.comment_id],
            "reason": row.get_reason_display(),
            "url": links.absolute(reverse("admin:comments_comment_change", args=[row.comment_id])),
        }
        for row in rows
    ]
    held = sum(row.reason == Notification.Reason.HELD for row in rows)
    reported = len(rows) - held
    return _message(
        to=moderator.email,
        subject=_("Comments need moderation: %(held)d waiting, %(reported)d reported")
        % {"held": held, "reported": reported},
        template="moderators",
        context={
            "items": items,
            "held": held,
            "reported": reported,
            "pending_url": links.absolute(f"{queue}?queue=pending"),
            "reported_url": links.absolute(f"{queue}?queue=reported"),
        },
        headers={"Auto-Submitted": "auto-generated"},
    )


def confirmation(subscription: Subscription) -> EmailMultiAlternatives:
    """The link a guest opens to confirm they want to follow a discussion."""
    article = subscription.article
    return _message(
        to=subscription.email,
        subject=_("Confirm: follow the discussion on “%(headline)s”")
        % {"headline": article.headline},
        template="confirm",
        context={
            "article": article,
            "article_url": links.absolute(article.get_absolute_url()),
            "subscription": subscription,
            "confirm_url": links.confirm_url(subscription),
            "hours": settings.COMMENTS_CONFIRM_MAX_AGE // 3600,
        },
        headers={"Auto-Submitted": "auto-generated"},
    )
