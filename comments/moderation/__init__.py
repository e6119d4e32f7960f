"""Moderation: the checks a comment passes before it is saved, what moderators do, the
queues they work from, bans, privacy, and the audit trail of it all.

``comments.services`` calls ``assess``, ``record`` and ``reported``; the admin and the
management commands call the rest. Every function that changes something records who did
what, when and why (``ModerationEvent``).
"""

from comments.domain import MODERATE_PERMISSION, is_moderator
from comments.moderation.actions import (
    DECISION_FOR_STATUS,
    DECISIONS,
    apply_moderator_edit,
    close_discussion,
    decide_appeal,
    moderate,
    open_discussion,
    reported,
    require_moderator,
    set_featured,
    set_note,
)
from comments.moderation.audit import EventAction, action_label, record
from comments.moderation.bans import (
    ban,
    ban_author,
    delete_ban,
    describe,
    lift_ban,
    normalise_network,
    save_ban,
)
from comments.moderation.checks import (
    Screening,
    active_ban_for,
    assess,
    check_duplicate,
    is_trusted,
)
from comments.moderation.privacy import Erasure, erase_commenter, find_commenter, purge_addresses
from comments.moderation.queues import Queue, in_queue, queue_counts

__all__ = [
    "DECISIONS",
    "DECISION_FOR_STATUS",
    "MODERATE_PERMISSION",
    "Erasure",
    "EventAction",
    "Queue",
    "Screening",
    "action_label",
    "active_ban_for",
    "apply_moderator_edit",
    "assess",
    "ban",
    "ban_author",
    "check_duplicate",
    "close_discussion",
    "decide_appeal",
    "delete_ban",
    "describe",
    "erase_commenter",
    "find_commenter",
    "in_queue",
    "is_moderator",
    "is_trusted",
    "lift_ban",
    "moderate",
    "normalise_network",
    "open_discussion",
    "purge_addresses",
    "queue_counts",
    "record",
    "reported",
    "require_moderator",
    "save_ban",
    "set_featured",
    "set_note",
]
