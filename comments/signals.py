"""Comment events. Each is sent inside the transaction that made the change, so what a
receiver writes (notification rows) commits or rolls back with it: a comment that is saved is
never left without its notifications. Receivers that reach outside the database defer that
work with ``transaction.on_commit``."""

from django.dispatch import Signal

# A new comment was saved (kwargs: comment).
comment_posted = Signal()

# Moderators approved comments that were not approved (kwargs: pks).
comments_approved = Signal()

# A reader's new report was recorded (kwargs: comment).
comment_reported = Signal()
