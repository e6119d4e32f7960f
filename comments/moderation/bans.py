"""Bans: stop an account, an email address or an address range from commenting."""

from __future__ import annotations

import ipaddress
from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from comments.models import Ban, Comment, Status
from comments.moderation.actions import moderate, require_moderator
from comments.moderation.audit import EventAction, record

# The widest ranges a ban may cover: a /16 is 65,536 IPv4 addresses, a /32 a whole IPv6 ISP.
WIDEST_PREFIX = {4: 16, 6: 32}


def normalise_network(value: str) -> str:
    """One address stays as it is; a range is stored by its network ("203.0.113.9/24" →
    "203.0.113.0/24"). Raises ``ValidationError`` for anything else or a range too wide."""
    value = (value or "").strip()
    if not value:
        return ""
    try:
        network = ipaddress.ip_network(value, strict=False)
    except ValueError:
        raise ValidationError(
            _("“%(value)s” is not an address or a range (like 203.0.113.0/24)."),
            code="invalid",
            params={"value": value},
        ) from None
    if network.num_addresses == 1:
        return str(network.network_address)
    widest = WIDEST_PREFIX[network.version]
    if network.prefixlen < widest:
        raise ValidationError(
            _("That range is too wide; use /%(prefix)d or narrower."),
            code="too_wide",
            params={"prefix": widest},
        )
    return str(network)


def describe(ban: Ban) -> str:
    """Who a ban names, until when and why, for the audit trail."""
    names = []
    if ban.user_id:
        names.append(_("account %(name)s") % {"name": ban.user})
    if ban.email:
        names.append(_("email %(email)s") % {"email": ban.email})
    if ban.network:
        names.append(_("address %(network)s") % {"network": ban.network})
    text = ", ".join(names)
    if ban.ends_at:
        until = formats.date_format(timezone.localtime(ban.ends_at), "DATETIME_FORMAT")
        text += " " + _("until %(date)s") % {"date": until}
    if ban.reason:
        text += f" — {ban.reason}"
    return text


def save_ban(*, ban: Ban, actor: AbstractBaseUser | None) -> Ban:
    """Validate and save a new or changed ban (the admin's form ends here). The email is
    stored in lower case and the range normalised; the audit trail records it."""
    require_moderator(actor)
    ban.email = (ban.email or "").strip().lower()
    ban.network = normalise_network(ban.network)
    if not (ban.user_id or ban.email or ban.network):
        raise ValidationError(_("Name an account, an email address or an address to ban."))
    creating = ban.pk is None
    if creating and ban.created_by_id is None:
        ban.created_by = actor
    with transaction.atomic():
        ban.save()
        record(
            None,
            actor=actor,
            action=EventAction.BANNED if creating else EventAction.BAN_CHANGED,
            reason=describe(ban),
        )
    return ban


def ban(
    *,
    actor: AbstractBaseUser | None,
    user: AbstractBaseUser | None = None,
    email: str = "",
    network: str = "",
    ends_at: datetime | None = None,
    reason: str = "",
) -> Ban:
    """Ban an account, an email address and/or an address or range, until ``ends_at`` (None:
    for good). Their next comments are refused with a calm message."""
    return save_ban(
        ban=Ban(user=user, email=email, network=network, ends_at=ends_at, reason=reason),
        actor=actor,
    )


def ban_author(
    *,
    comment: Comment,
    actor: AbstractBaseUser | None,
    ends_at: datetime | None = None,
    reason: str = "",
    remove: bool = True,
) -> tuple[Ban, bool]:
    """Ban whoever wrote ``comment``: an account (and its email), or a guest's email and
    address. An active ban that already names them is reused. With ``remove`` the comment is
    removed too. Returns the ban and whether it is new."""
    require_moderator(actor)
    if comment.user_id:
        fields = {"user": comment.user, "email": "", "network": ""}
        existing = Ban.objects.active().filter(user=comment.user)
    else:
        fields = {
            "user": None,
            "email": comment.guest_email.strip().lower(),
            "network": comment.ip_address or "",
        }
        if not (fields["email"] or fields["network"]):
            raise ValidationError(
                _("The author of this comment left no account, email or address to ban.")
            )
        existing = Ban.objects.active().filter(email=fields["email"], network=fields["network"])
    with transaction.atomic():
        found = existing.first()
        created = found is None
        banned = found or ban(actor=actor, ends_at=ends_at, reason=reason, **fields)
        record(
            comment,
            actor=actor,
            action=EventAction.AUTHOR_BANNED,
            reason=reason or describe(banned),
        )
        if remove and comment.status != Status.REMOVED:
            moderate(comments=[comment], actor=actor, action="remove", reason=reason)
    return banned, created


def lift_ban(*, ban: Ban, actor: AbstractBaseUser | None, reason: str = "") -> bool:
    """End a ban now (it stays on record). Returns False if it had already ended."""
    require_moderator(actor)
    now = timezone.now()
    if ban.ends_at is not None and ban.ends_at <= now:
        return False
    with transaction.atomic():
        ban.ends_at = now
        ban.save(update_fields=["ends_at"])
        record(None, actor=actor, action=EventAction.BAN_LIFTED, reason=reason or describe(ban))
    return True


def delete_ban(*, ban: Ban, actor: AbstractBaseUser | None) -> None:
    """Delete a ban (a mistake, say); the audit trail keeps what it said."""
    require_moderator(actor)
    with transaction.atomic():
        record(None, actor=actor, action=EventAction.BAN_LIFTED, reason=describe(ban))
        ban.delete()
