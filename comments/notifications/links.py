"""Signed links in emails: confirm a subscription, unsubscribe in one click.

Each carries the subscription's id and secret key, signed with its own salt: a tampered link
fails the signature, an old confirmation link has expired, and a link to a subscription since
removed finds nothing.
"""

from __future__ import annotations

from enum import Enum

from django.conf import settings
from django.core import signing
from django.urls import reverse

from comments.notifications.models import Subscription

CONFIRM_SALT = "comments.notifications.confirm"
UNSUBSCRIBE_SALT = "comments.notifications.unsubscribe"


class LinkProblem(Enum):
    INVALID = "invalid"
    EXPIRED = "expired"
    GONE = "gone"


def _token(subscription: Subscription, salt: str) -> str:
    return signing.dumps({"s": subscription.pk, "k": subscription.key}, salt=salt, compress=True)


def absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def confirm_url(subscription: Subscription) -> str:
    return absolute(
        reverse("comments:confirm_subscription", args=[_token(subscription, CONFIRM_SALT)])
    )


def unsubscribe_url(subscription: Subscription) -> str:
    return absolute(reverse("comments:unsubscribe", args=[_token(subscription, UNSUBSCRIBE_SALT)]))


def resolve(token: str, salt: str, max_age: int | None) -> Subscription | LinkProblem:
    try:
        data = signing.loads(token, salt=salt, max_age=max_age)
    except signing.SignatureExpired:
        return LinkProblem.EXPIRED
    except signing.BadSignature:
        return LinkProblem.INVALID
    if not isinstance(data, dict) or not isinstance(data.get("s"), int):
        return LinkProblem.INVALID
    subscription = (
        Subscription.objects.select_related("article")
        .filter(pk=data["s"], key=str(data.get("k", "")))
        .first()
    )
    return subscription if subscription is not None else LinkProblem.GONE
