"""Settings for the servers and commands the tests start on the test database
(tests/processes.py): the project's own, with the fast password hasher the tests use.

Accounts the tests make are hashed with it; the production hasher's cost (a good part of a
second per sign-in, by design) proves nothing about limits and lock-outs across workers.
The soak tests start ``make run``'s layout with the project's own settings.
"""

from newsroom.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
