"""Following a discussion: subscribe, confirm, change, unsubscribe, and the signed links.

Signed-in readers with a confirmed email are subscribed at once; a guest's subscription waits
until they open the link emailed to them (double opt-in), so nobody can subscribe another
person's address. Every link carries the subscription's secret key, signed: a tampered link
fails the signature, and a link to a subscription since removed finds nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from articles.models import Article
from comments.domain import Commenter
from comments.models import Comment, Status
from comments.moderation.checks import active_ban_for
from comments.notifications import tasks
from comments.notifications.links import CONFIRM_SALT, UNSUBSCRIBE_SALT, LinkProblem, resolve
from comments.notifications.models import Kind, Subscription
from newsroom import ratelimit

# One address receives at most this many confirmation emails an hour (across articles), and
# one subscription at most one an hour: the form cannot be used to flood someone's inbox.
CONFIRMATIONS_PER_HOUR = 3
RESEND_AFTER = timedelta(hours=1)


class SubscriptionRefused(Exception):
    """The subscription cannot be made; ``message`` is for the reader."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def has_confirmed_email(user: AbstractBaseUser) -> bool:
    """Whether an account's email counts as confirmed, so it is subscribed without a link.

    The one place that decides it: accounts have an email address (signup requires one).
    """
    return bool(getattr(user, "email", ""))


def normalise_email(email: str) -> str:
    return email.strip().lower()


@dataclass(frozen=True)
class Outcome:
    subscription: Subscription | None
    confirmed: bool

    @property
    def message(self) -> str:
        if self.confirmed:
            return _("You will be notified by email. You can change this on your account page.")
        return _(
            "Check your inbox: we have sent a link to confirm your subscription (unless this "
            "address already follows this discussion)."
        )


def _refuse_if_banned(*, user: AbstractBaseUser | None, email: str, ip: str | None) -> None:
    if active_ban_for(Commenter(user=user, email=email, ip=ip)) is not None:
        raise SubscriptionRefused(_("This email address cannot subscribe to discussions."))


def subscribe(
    *,
    article: Article,
    kind: str,
    user: AbstractBaseUser | None = None,
    email: str = "",
    ip: str | None = None,
) -> Outcome:
    """Follow ``article`` (``kind``: replies or all). A signed-in reader with a confirmed
    email is subscribed at once; a guest is sent a confirmation link by the worker and
    subscribed when they open it. Raises ``SubscriptionRefused`` with the reason."""
    if kind not in Kind.values:
        raise SubscriptionRefused(_("Choose what to be notified of."))
    if user is not None and user.is_authenticated:
        if not has_confirmed_email(user):
            raise SubscriptionRefused(
                _("Your account has no confirmed email address to send notifications to.")
            )
        return _subscribe_account(article=article, kind=kind, user=user, ip=ip)
    email = normalise_email(email)
    try:
        validate_email(email)
    except ValidationError:
        raise SubscriptionRefused(_("Enter a valid email address to subscribe.")) from None
    _refuse_if_banned(user=None, email=email, ip=ip)
    return _subscribe_guest(article=article, kind=kind, email=email, ip=ip)


def _locked(*, article: Article, email: str, defaults: dict) -> Subscription:
    """The subscription of ``email`` to ``article``, made if need be, locked (in the caller's
    transaction). Two requests for one address at once make one row."""
    try:
        with transaction.atomic():
            subscription, _created = Subscription.objects.get_or_create(
                article=article, email=email, defaults=defaults
            )
    except IntegrityError:  # the same address, twice at once: the other request made it
        subscription = Subscription.objects.get(article=article, email=email)
    return Subscription.objects.select_for_update().get(pk=subscription.pk)


def _subscribe_account(
    *, article: Article, kind: str, user: AbstractBaseUser, ip: str | None
) -> Outcome:
    email = normalise_email(user.email)
    _refuse_if_banned(user=user, email=email, ip=ip)
    now = timezone.now()
    with transaction.atomic():
        subscription = _locked(
            article=article, email=email, defaults={"user": user, "kind": kind, "confirmed_at": now}
        )
        # The account has proved the address: it takes over a guest subscription of it.
        subscription.user = user
        subscription.kind = kind
        subscription.confirmed_at = subscription.confirmed_at or now
        subscription.confirmation_pending = False
        subscription.save(update_fields=["user", "kind", "confirmed_at", "confirmation_pending"])
    return Outcome(subscription, confirmed=True)


def _subscribe_guest(*, article: Article, kind: str, email: str, ip: str | None) -> Outcome:
    now = timezone.now()
    with transaction.atomic():
        subscription = _locked(article=article, email=email, defaults={"kind": kind})
        if subscription.confirmed_at is not None:
            # Only the address's owner may change a confirmed subscription (account page,
            # or the links in its emails); say the same as for a new one.
            return Outcome(subscription, confirmed=False)
        subscription.kind = kind
        recently = subscription.confirmation_requested_at and (
            now - subscription.confirmation_requested_at < RESEND_AFTER
        )
        if not recently:
            sent_lately = Subscription.objects.filter(
                email=email, confirmation_requested_at__gte=now - timedelta(hours=1)
            ).count()
            if sent_lately >= CONFIRMATIONS_PER_HOUR:
                raise SubscriptionRefused(
                    _(
                        "Too many confirmation emails were sent to this address in the last "
                        "hour. Please try again later."
                    )
                )
            rates = ratelimit.parse_rates(settings.COMMENTS_SUBSCRIBE_RATE_LIMITS)
            if ratelimit.hit({"subscribe-ip": ip or ""}, rates, now) is not None:
                raise SubscriptionRefused(
                    _("Too many subscriptions from your network. Please try again later.")
                )
            subscription.confirmation_pending = True
            subscription.confirmation_requested_at = now
        subscription.save(
            update_fields=["kind", "confirmation_pending", "confirmation_requested_at"]
        )
        if not recently:
            tasks.enqueue(tasks.send_confirmation, subscription.pk)
    return Outcome(subscription, confirmed=False)


def subscribe_author(*, comment: Comment, author: Commenter, kind: str) -> str | None:
    """Subscribe the comment's author, as they chose under "Notify me of" when posting
    (``services.post_comment(subscribe=...)``). Returns what to tell them (the outcome, or
    why not), or None when they chose nothing (or the comment was taken for spam)."""
    if not kind or comment.status == Status.SPAM:
        return None
    try:
        outcome = subscribe(
            article=comment.article, kind=kind, user=author.user, email=author.email, ip=author.ip
        )
    except SubscriptionRefused as refusal:
        return refusal.message
    return outcome.message


def confirm(token: str) -> tuple[Subscription | None, LinkProblem | None, bool]:
    """Confirm a guest's subscription from the emailed link. Returns the subscription (or
    None), the problem with the link (or None), and whether it was already confirmed."""
    found = resolve(token, CONFIRM_SALT, settings.COMMENTS_CONFIRM_MAX_AGE)
    if isinstance(found, LinkProblem):
        return None, found, False
    with transaction.atomic():
        updated = Subscription.objects.filter(pk=found.pk, confirmed_at__isnull=True).update(
            confirmed_at=timezone.now(), confirmation_pending=False
        )
    found.refresh_from_db()
    return found, None, not updated


def to_unsubscribe(token: str) -> tuple[Subscription | None, LinkProblem | None]:
    """The subscription an unsubscribe link names, left in place: opening the link asks
    first, since mail scanners open links in emails (RFC 8058's very reason)."""
    found = resolve(token, UNSUBSCRIBE_SALT, None)
    if isinstance(found, LinkProblem):
        return None, found
    return found, None


def unsubscribe(token: str) -> tuple[Subscription | None, LinkProblem | None]:
    """Remove the subscription named by an unsubscribe link, at once. Returns the removed
    subscription (or None) and the problem with the link (or None). Its unsent
    notifications go with it."""
    found, problem = to_unsubscribe(token)
    if found is not None:
        Subscription.objects.filter(pk=found.pk).delete()
    return found, problem


def change(*, subscription: Subscription, user: AbstractBaseUser, kind: str) -> bool:
    """An account holder changes (``replies``/``all``) or ends (``""``) one of their
    subscriptions. Returns False when it is not theirs."""
    if subscription.user_id != user.pk:
        return False
    if not kind:
        subscription.delete()
    elif kind in Kind.values:
        Subscription.objects.filter(pk=subscription.pk).update(kind=kind)
    else:
        return False
    return True


def for_account(user: AbstractBaseUser):
    """An account's subscriptions, newest first, with their articles."""
    return Subscription.objects.filter(user=user).select_related("article")
