import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
application = get_wsgi_application()

# The composition root loads what every worker needs once: gunicorn imports this module in its
# master (preload_app), so the language scorer's model is read once and the forked workers share
# its memory instead of each reading it on their first comment.
from comments.moderation import language  # noqa: E402

language.load()
