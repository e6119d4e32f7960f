from django.dispatch import Signal

# Sent after the transaction that saved a new comment has committed (kwargs: comment).
comment_posted = Signal()

# Sent after commit when moderators approved comments that were not approved (kwargs: pks).
comments_approved = Signal()

# Sent after commit when a reader's new report was recorded (kwargs: comment).
comment_reported = Signal()
