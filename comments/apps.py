from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommentsConfig(AppConfig):
    name = "comments"
    verbose_name = _("Comments")

    def ready(self) -> None:
        # Connect the comment events to subscriptions and notifications.
        from comments.notifications import receivers  # noqa: F401
