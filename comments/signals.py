from django.dispatch import Signal

# Sent after the transaction that saved a new comment has committed (kwargs: comment).
comment_posted = Signal()
