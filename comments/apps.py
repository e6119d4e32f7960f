from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommentsConfig(AppConfig):
    name = "comments"
    verbose_name = _("Comments")

    def ready(self) -> None:
        from comments import identity, selectors
        from newsroom import pagecache

        # The article page's comments change with these parameters, and a guest's cookie
        # holds what is theirs (their pending comments, edit links, votes): the page cache
        # keys its copies by the one and never serves the other without the reader layer.
        pagecache.register(
            private_cookies=[identity.COOKIE],
            parameters={"comments": selectors.canonical_sort, "cpage": selectors.canonical_page},
        )
