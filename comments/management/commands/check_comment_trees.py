from django.core.management.base import BaseCommand, CommandError

from comments.integrity import tree_problems


class Command(BaseCommand):
    help = "Check that every comment tree is valid (lft/rght, parents, levels, tree ids)."

    def handle(self, *args, **options) -> None:
        problems = tree_problems()
        for problem in problems:
            self.stderr.write(problem)
        if problems:
            raise CommandError(f"{len(problems)} problems found in the comment trees.")
        self.stdout.write("All comment trees are valid.")
