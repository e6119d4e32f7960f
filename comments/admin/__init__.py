"""The moderation desk: queues with counts, each comment in context, bulk decisions, bans,
word lists, readers' reports, the audit trail, and closing discussions from the articles' list.

Every change goes through ``comments.moderation``; these classes only wire it to the admin.
Importing the modules registers their admin classes.
"""

from comments.admin import comment, discussions, language, notifications, records

__all__ = ["comment", "discussions", "language", "notifications", "records"]
