from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from articles.demo import load_articles


def _optional_loader(module_name: str, function_name: str) -> Callable[..., Any] | None:
    """The loader function from an app's demo module, or None if the app has none (yet)."""
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as error:
        # Only a missing demo module is expected; a broken import inside it is a real error.
        if error.name == module_name or module_name.startswith(f"{error.name}."):
            return None
        raise
    loader = getattr(module, function_name, None)
    return loader if callable(loader) else None


class Command(BaseCommand):
    help = "Fill an empty site with demo content; safe to run twice."

    def handle(self, *args: Any, **options: Any) -> None:
        load_comments = _optional_loader("comments.demo", "load_comments")
        with transaction.atomic():
            articles = load_articles(stdout=self.stdout)
            comments = load_comments(stdout=self.stdout) if load_comments else None
        parts = [f"{articles} article{'' if articles == 1 else 's'}"]
        if isinstance(comments, int):
            parts.append(f"{comments} comment{'' if comments == 1 else 's'}")
        if articles or comments:
            self.stdout.write(self.style.SUCCESS(f"Demo content added: {', '.join(parts)}."))
        else:
            self.stdout.write(self.style.SUCCESS("Demo content already in place; nothing added."))
