"""Erase what a commenter wrote (an erasure request): by email address and/or account."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from comments.moderation import erase_commenter, find_commenter


class Command(BaseCommand):
    help = (
        "Erase a commenter's name, email, account link, addresses and (unless --keep-text) "
        "text from every comment they wrote; anonymise their votes and reports. Threads stay "
        "intact: their comments become 'deleted' placeholders."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--email", default="", help="The commenter's email address.")
        parser.add_argument("--user", default="", help="The commenter's username (or id).")
        parser.add_argument(
            "--keep-text",
            action="store_true",
            help="Anonymise only: keep the comments' text, shown as by 'Anonymous'.",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Count what would be erased; change nothing."
        )
        parser.add_argument(
            "--noinput",
            "--no-input",
            action="store_false",
            dest="interactive",
            help="Do not ask for confirmation.",
        )

    def _user(self, value: str):
        if not value:
            return None
        User = get_user_model()
        found = User.objects.filter(**{User.USERNAME_FIELD: value}).first()
        if found is None and value.isdigit():
            found = User.objects.filter(pk=int(value)).first()
        if found is None:
            raise CommandError(f"No account {value!r}.")
        return found

    def handle(self, *args, email: str, user: str, keep_text: bool, dry_run: bool, **options):
        if not email.strip() and not user:
            raise CommandError("Give --email or --user (or both).")
        account = self._user(user)
        person = find_commenter(user=account, email=email)
        summary = (
            f"{person.comments().count()} comments, {person.votes().count()} votes, "
            f"{person.reports().count()} reports, {person.subscriptions().count()} subscriptions"
        )
        if dry_run:
            self.stdout.write(f"Would erase: {summary}.")
            return
        if options["interactive"]:
            answer = input(f"Erase {summary}? This cannot be undone. Type 'yes' to continue: ")
            if answer.strip().lower() != "yes":
                raise CommandError("Erasure cancelled.")
        result = erase_commenter(user=account, email=email, keep_text=keep_text)
        self.stdout.write(
            f"Erased: {result.comments} comments, {result.votes} votes, {result.reports} reports, "
            f"{result.subscriptions} subscriptions."
        )
