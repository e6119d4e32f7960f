"""The moderation desk: queues with counts, each comment in context, bulk decisions, bans,
word lists, readers' reports and the audit trail.

Every change goes through ``comments.moderation``; these classes only wire it to the admin.
Importing the modules registers their admin classes.
"""

from comments.admin import comment, notifications, records

__all__ = ["comment", "notifications", "records"]
