from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.management.base import BaseCommand, CommandError

# Local development only: the command refuses to run with DEBUG off.
LOCAL_ACCOUNTS = [
    # (username, password, group)
    ("editor", "editor-local-only", "Editors"),
    ("moderator", "moderator-local-only", "Moderators"),
]


class Command(BaseCommand):
    help = "Create the local editor and moderator accounts and print their credentials."

    def handle(self, *args, **options) -> None:
        if not settings.DEBUG:
            raise CommandError("local_accounts is for local development only (DJANGO_DEBUG=1).")
        for username, password, group_name in LOCAL_ACCOUNTS:
            group = Group.objects.filter(name=group_name).first()
            if group is None:
                continue
            user, created = User.objects.get_or_create(
                username=username, defaults={"email": f"{username}@localhost", "is_staff": True}
            )
            if created:
                user.set_password(password)
                user.save()
            user.groups.add(group)
            self.stdout.write(
                f"Local {group_name[:-1].lower()} account: {username} / {password}"
                f"  (http://127.0.0.1:8000/admin/)"
            )
