"""``manage.py demo``: the site's demo content, from each app's own loader.

It lives in the project because it spans apps: articles first, then the comments on them.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from articles.demo import load_articles
from comments.demo import load_comments


class Command(BaseCommand):
    help = "Fill an empty site with demo content; safe to run twice."

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            articles = load_articles(stdout=self.stdout)
            comments = load_comments(stdout=self.stdout)
        parts = [
            f"{articles} article{'' if articles == 1 else 's'}",
            f"{comments} comment{'' if comments == 1 else 's'}",
        ]
        if articles or comments:
            self.stdout.write(self.style.SUCCESS(f"Demo content added: {', '.join(parts)}."))
        else:
            self.stdout.write(self.style.SUCCESS("Demo content already in place; nothing added."))
