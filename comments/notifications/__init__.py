"""Subscriptions and email notifications ("Notify of").

Readers follow a discussion (every new comment, or only replies to their own); moderators
hear of comments waiting for them. Nothing is sent inside a request: events leave
``Notification`` rows, and tasks run by the worker (``manage.py db_worker``) send them: the
first after a quiet spell at once, what follows in one email per window (or per hour or day,
as the reader chose).

- ``models``: the subscription and the notification rows.
- ``subscriptions``: subscribe, confirm, change, unsubscribe (and the signed links).
- ``dispatch``: who hears of what, when a comment becomes visible, waits or is reported.
- ``tasks``: the worker's side: claim rows, send, retry.
- ``emails``: the messages themselves.
"""
