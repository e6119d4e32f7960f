"""Settings for Newsroom, read from the environment.

Every variable is listed in the README. Unset, they fail closed: production rules apply (a
secret key is required, cookies are secure, HTTPS is enforced, media is not served by Django)
and ``manage.py check --deploy`` is clean. ``make run`` and ``make test`` turn development on
explicitly (``DJANGO_DEBUG=1 SERVE_MEDIA=1``).
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


DEBUG = env_bool("DJANGO_DEBUG", False)


def _development_secret_key() -> str:
    """A random key kept in var/ (ignored by git), made on first use: shared by every local
    process (gunicorn's workers must agree on it), and never a key anyone else knows."""
    path = BASE_DIR / "var" / "development-secret-key"
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(50)
        try:
            with path.open("x") as file:  # another process may be making it at this moment
                file.write(key)
        except FileExistsError:
            return path.read_text().strip()
        return key


SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off.")
    SECRET_KEY = _development_secret_key()

ALLOWED_HOSTS = env_list(
    "DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver" if DEBUG else ""
)
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.postgres",
    "mptt",
    "csp",
    "axes",
    # Before django_tasks_db: its ``manage.py db_worker`` is newsroom's, which rides out
    # database outages (newsroom/management/commands/db_worker.py).
    "newsroom",
    "django_tasks",
    "django_tasks_db",
    "articles",
    "comments",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # HTML is compressed here, in `make run` as in production (static files are precompressed
    # by WhiteNoise); then answers carry an ETag and If-None-Match gets a 304. Bodies under
    # 1 KB (small JSON) are sent as they are (newsroom/middleware.py).
    "newsroom.middleware.GZipMiddleware",
    "django.middleware.http.ConditionalGetMiddleware",
    # ...over an ETag that a form's timestamp or CSRF token, new on every render, leaves alone.
    "newsroom.pagecache.StableETagMiddleware",
    # Pages marked for the edge (newsroom/edge.py) turn private for a reader with cookies.
    "newsroom.edge.EdgeCacheMiddleware",
    # Reads that may be stale go to the replica, when there is one (newsroom/dbrouter.py).
    "newsroom.dbrouter.ReplicaMiddleware",
    # Anonymous readers' article pages, from the shared copy before anything below runs.
    "newsroom.pagecache.SharedPageMiddleware",
    "newsroom.middleware.ContentSecurityPolicyMiddleware",
    "newsroom.middleware.DatabaseUnavailableMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # A 404 for an imported article's old address (a WordPress permalink) becomes a 301.
    "articles.middleware.OldPermalinkMiddleware",
    # The token-less Origin/Sec-Fetch-Site check for the comment forms that cached pages
    # carry (newsroom/csrf.py), then Django's token check for everything else.
    "newsroom.csrf.CrossOriginMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "newsroom.urls"
WSGI_APPLICATION = "newsroom.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "articles.context_processors.navigation",
            ],
        },
    },
]

# --- Database: always PostgreSQL ------------------------------------------------------------
# DATABASE_URL names a server; unset, the project starts its embedded one (newsroom/devdb.py).
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if not DATABASE_URL:
    from newsroom import devdb

    DATABASE_URL = devdb.database_url()
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL,
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        # A health check is one more round trip at the start of every request that uses the
        # database (a cached page's only other one): 0 saves it where connections are stable.
        # Prepared statements (newsroom/prepared.py) stand in for it when they come first.
        conn_health_checks=env_bool("DATABASE_CONN_HEALTH_CHECKS", True),
    )
}
# The hot paths' statements are prepared once per connection (newsroom/prepared.py): off,
# they are sent as plain SQL, for a pooler in transaction mode that keeps no session state.
DATABASE_PREPARED_STATEMENTS = env_bool("DATABASE_PREPARED_STATEMENTS", True)
if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured("Newsroom runs on PostgreSQL only: DATABASE_URL must be postgres://")
# A streaming replica (hot standby) of that server: reads that may be a little stale go there
# (newsroom/dbrouter.py), with a fallback to the primary when it is away or behind.
DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = dj_database_url.parse(
        DATABASE_REPLICA_URL,
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=env_bool("DATABASE_CONN_HEALTH_CHECKS", True),
    )
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["newsroom.dbrouter.ReplicaRouter"]  # does nothing without a replica
DATABASE_REPLICA_MAX_LAG = env_int("DATABASE_REPLICA_MAX_LAG", 10)  # seconds behind: primary
DATABASE_REPLICA_CHECK_SECONDS = env_int("DATABASE_REPLICA_CHECK_SECONDS", 5)
DATABASE_REPLICA_PIN_SECONDS = env_int("DATABASE_REPLICA_PIN_SECONDS", 5)  # read-your-writes
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache: shared by every worker and host: PostgreSQL, or Redis when REDIS_URL is set -------
# gunicorn runs several processes, so a local-memory cache would be a different cache (and a
# different rate-limit counter) in each. The database cache's table is made by
# ``manage.py createcachetable`` (the Makefile runs it; the test runner does it itself).
REDIS_URL = os.environ.get("REDIS_URL", "")
CACHE_KEY_PREFIX = os.environ.get("CACHE_KEY_PREFIX", "newsroom")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": CACHE_KEY_PREFIX,
        }
    }
else:
    CACHES = {
        "default": {
            # Django's, with culling that spares the page cache's version keys (newsroom/cache.py).
            "BACKEND": "newsroom.cache.DatabaseCache",
            "LOCATION": "newsroom_cache",
            # Cached article pages live here too: room for many before culling starts.
            "OPTIONS": {"MAX_ENTRIES": 20000},
        }
    }

# --- Auth ------------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    # First: refuses sign-ins from a locked-out address or for a locked-out username.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Failed sign-ins (/accounts/login/ and /admin/login/), counted in PostgreSQL by django-axes:
# this many from one address, or for one username from one address, lock that out for the
# cool-off. Never a username alone: anyone could then lock a moderator out from elsewhere.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_RESET_ON_SUCCESS = True
# Honours NEWSROOM_TRUSTED_PROXY_HOPS; an IPv6 reader counts as their /64.
AXES_CLIENT_IP_CALLABLE = "newsroom.http.client_network_address"
AXES_LOCKOUT_CALLABLE = "newsroom.accounts.locked_out"
AXES_VERBOSE = False
# Password resets and sign-ups, per address (IPv6: its /64) and per username or email, in the
# shared rate-limit store (PostgreSQL, or Redis with REDIS_URL). Empty: no limits.
ACCOUNTS_RATE_LIMITS = os.environ.get("ACCOUNTS_RATE_LIMITS", "5/hour,20/day")
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

# --- Internationalisation --------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("DJANGO_TIME_ZONE", "Europe/London")
USE_I18N = True
USE_TZ = True

# --- Static and media files ------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
# Uploaded images are served by the app only when asked (development, or no web server or
# object store in front); read on each request, so tests can switch it.
SERVE_MEDIA = env_bool("SERVE_MEDIA", False)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Tests and a fresh checkout run before collectstatic: fall back to unhashed names.
WHITENOISE_MANIFEST_STRICT = False
WHITENOISE_USE_FINDERS = DEBUG
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- Email -----------------------------------------------------------------------------------
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
if os.environ.get("EMAIL_FILE_PATH"):  # for the file-based backend
    EMAIL_FILE_PATH = os.environ["EMAIL_FILE_PATH"]
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Newsroom <newsroom@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# The site's public address, for links in emails (sent by the worker, outside any request).
SITE_URL = os.environ.get("NEWSROOM_SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# --- Background tasks: Django's Tasks API (django-tasks), queued in PostgreSQL ----------------
# ``manage.py db_worker`` runs them (``make run`` starts one beside gunicorn). Tests run tasks
# immediately, except those that drive a real worker.
TASKS = {"default": {"BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend")}}
# The worker waits 1, 2, 4 ... seconds, at most this many, between tries while the database
# is away, and carries on once it is back.
TASKS_MAX_RECONNECT_DELAY = env_int("TASKS_MAX_RECONNECT_DELAY", 30)

# --- Security --------------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Django's database sessions, in newsroom.Session: with the account each is signed in to, so
# the reader's layer reads session, account and layer in one round trip (newsroom/sessions.py).
SESSION_ENGINE = "newsroom.sessions"
SESSION_COOKIE_HTTPONLY = True
if not DEBUG:
    # Behind a TLS-terminating proxy (deploy/nginx.conf sets X-Forwarded-Proto).
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("DJANGO_SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
# Content Security Policy on every response, the admin's included (django-csp): only our own
# scripts and styles load (pages have no inline code, so this holds), nothing frames us.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "img-src": [SELF, "data:"],
        "style-src": [SELF],
        "script-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
# /healthz is polled over plain HTTP by load balancers.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {"pgserver": {"level": "WARNING"}},
}

# --- Newsroom --------------------------------------------------------------------------------
SITE_NAME = os.environ.get("NEWSROOM_SITE_NAME", "The Newsroom")
ARTICLES_PER_PAGE = 12
# How long an anonymous reader's copy of an article page may be served from the shared cache
# (newsroom/pagecache.py). Every change readers could see replaces it at once; this bounds only
# what changes by itself ("3 hours ago"). 0 turns the cache off.
PAGE_CACHE_SECONDS = env_int("NEWSROOM_PAGE_CACHE_SECONDS", 300)
# The edge (Varnish, a CDN: newsroom/edge.py): how long it may keep an anonymous page
# (s-maxage; every visible change purges it at once), serve it stale while fetching a new one,
# or while the app hosts fail. Purges go to each of NEWSROOM_EDGE_PURGE_URLS (none: no purges).
EDGE_CACHE_SECONDS = env_int("NEWSROOM_EDGE_CACHE_SECONDS", 300)
EDGE_STALE_WHILE_REVALIDATE = env_int("NEWSROOM_EDGE_STALE_WHILE_REVALIDATE", 30)
EDGE_STALE_IF_ERROR = env_int("NEWSROOM_EDGE_STALE_IF_ERROR", 24 * 60 * 60)
EDGE_PURGE_URLS = env_list("NEWSROOM_EDGE_PURGE_URLS")
EDGE_PURGE_TIMEOUT = env_int("NEWSROOM_EDGE_PURGE_TIMEOUT", 5)  # seconds per edge

# --- Comments --------------------------------------------------------------------------------
COMMENTS_PER_PAGE = env_int("COMMENTS_PER_PAGE", 20)  # top-level threads per page
# The page's budget: COMMENTS_PER_PAGE threads, under each comment its first
# COMMENTS_REPLIES_SHOWN replies, COMMENTS_MAX_DEPTH levels in all; the rest is behind
# "N more replies" and "Continue this thread" (loaded in place by script, or their own page).
COMMENTS_MAX_DEPTH = env_int("COMMENTS_MAX_DEPTH", 3)
COMMENTS_REPLIES_SHOWN = env_int("COMMENTS_REPLIES_SHOWN", 2)
COMMENTS_GUEST_VOTES_PER_HOUR = env_int("COMMENTS_GUEST_VOTES_PER_HOUR", 60)
COMMENTS_FORM_MIN_SECONDS = env_int("COMMENTS_FORM_MIN_SECONDS", 2)  # faster is a bot
COMMENTS_FORM_MAX_AGE = env_int("COMMENTS_FORM_MAX_AGE", 6 * 60 * 60)  # seconds
CSRF_FAILURE_VIEW = "newsroom.views.csrf_failure"
# How many proxies (nginx, a load balancer) stand in front of gunicorn and append to
# X-Forwarded-For; 0 trusts REMOTE_ADDR only.
TRUSTED_PROXY_HOPS = env_int("NEWSROOM_TRUSTED_PROXY_HOPS", 0)

# --- Comment moderation ----------------------------------------------------------------------
# Post-moderation by default: comments appear at once. Pre-moderation holds them for review,
# site-wide or only for commenters not yet trusted (trusted: this many approved comments and
# none marked spam or removed). An article's own "pre-moderate comments" holds everyone's.
COMMENTS_PREMODERATE = env_bool("COMMENTS_PREMODERATE", False)
COMMENTS_PREMODERATE_FIRST_TIMERS = env_bool("COMMENTS_PREMODERATE_FIRST_TIMERS", False)
COMMENTS_TRUSTED_AFTER = env_int("COMMENTS_TRUSTED_AFTER", 3)
COMMENTS_MAX_LINKS = env_int("COMMENTS_MAX_LINKS", 3)  # more are refused
COMMENTS_DUPLICATE_WINDOW = env_int("COMMENTS_DUPLICATE_WINDOW", 5 * 60)  # seconds; 0: off
# Per address and per email or account, counted in PostgreSQL (newsroom.ratelimit), or in
# Redis when REDIS_URL is set: every worker and app host counts together. Empty: no limits.
COMMENTS_RATE_LIMITS = os.environ.get("COMMENTS_RATE_LIMITS", "5/minute,30/hour")
# Edits of one comment, and edits by one author, in the same shared store. Empty: no limits.
COMMENTS_EDIT_RATE_LIMITS = os.environ.get("COMMENTS_EDIT_RATE_LIMITS", "3/minute,10/hour")
# Distinct accounts or addresses (IPv6: /64) whose reports hide a comment; 0: never.
COMMENTS_REPORTS_TO_HIDE = env_int("COMMENTS_REPORTS_TO_HIDE", 3)
# Reports per address, counted in the shared store like COMMENTS_RATE_LIMITS.
COMMENTS_REPORT_RATE_LIMITS = os.environ.get("COMMENTS_REPORT_RATE_LIMITS", "10/hour,30/day")
# A dotted path to a comments.spam.SpamChecker, e.g. "comments.spam.AkismetChecker"; empty: none.
COMMENTS_SPAM_CHECKER = os.environ.get("COMMENTS_SPAM_CHECKER", "")
AKISMET_API_KEY = os.environ.get("AKISMET_API_KEY", "")
AKISMET_SITE_URL = os.environ.get("AKISMET_SITE_URL", "")  # e.g. https://news.example.com
# Readers' addresses are erased after this many days (manage.py purge_addresses, run daily).
COMMENTS_ADDRESS_RETENTION_DAYS = env_int("COMMENTS_ADDRESS_RETENTION_DAYS", 90)

# --- Language checks (comments.moderation.language_checks) -----------------------------------
# An optional Perspective-compatible scorer that the newsroom runs itself, asked after the
# offline scorer. No answer within the timeout (seconds), or a bad one: the comment is held.
COMMENTS_EXTERNAL_SCORER_URL = os.environ.get("COMMENTS_EXTERNAL_SCORER_URL", "")
COMMENTS_EXTERNAL_SCORER_TIMEOUT = float(os.environ.get("COMMENTS_EXTERNAL_SCORER_TIMEOUT", "2"))
# How long after a removal its author may appeal (the link in the statement of reasons).
COMMENTS_APPEAL_DAYS = env_int("COMMENTS_APPEAL_DAYS", 183)

# --- Readers' own data ---------------------------------------------------------------------
# A confirmed account deletion is carried out this many days later (the reader may cancel).
ACCOUNTS_DELETION_GRACE_DAYS = env_int("ACCOUNTS_DELETION_GRACE_DAYS", 14)
# What becomes of a deleted account's comments: "anonymise" keeps the text, signed "Deleted
# account"; "erase" removes the text too (replies keep a placeholder).
ACCOUNTS_DELETION_COMMENTS = os.environ.get("ACCOUNTS_DELETION_COMMENTS", "anonymise")
if ACCOUNTS_DELETION_COMMENTS not in ("anonymise", "erase"):
    raise ImproperlyConfigured("ACCOUNTS_DELETION_COMMENTS must be 'anonymise' or 'erase'.")
# Emailed links to a reader's data (guests) one address (IPv6: its /64) and one email may ask
# for; counted in the shared rate-limit store. Empty: no limit.
OWN_DATA_RATE_LIMITS = os.environ.get("OWN_DATA_RATE_LIMITS", "5/hour,20/day")

# --- Comment notifications -------------------------------------------------------------------
# Comments arriving within this many seconds of the first reach each subscriber (and each
# moderator) as one digest email.
COMMENTS_NOTIFY_WINDOW = env_int("COMMENTS_NOTIFY_WINDOW", 5 * 60)
COMMENTS_NOTIFY_MODERATORS = env_bool("COMMENTS_NOTIFY_MODERATORS", True)
# A guest's confirmation link is valid this many seconds.
COMMENTS_CONFIRM_MAX_AGE = env_int("COMMENTS_CONFIRM_MAX_AGE", 3 * 24 * 60 * 60)
# A failed send is retried after 1, 2, 4 ... minutes, at most this many seconds apart.
COMMENTS_NOTIFY_MAX_BACKOFF = env_int("COMMENTS_NOTIFY_MAX_BACKOFF", 60 * 60)
# Rows of notifications sent longer ago than this are deleted (at the recipient's next email).
COMMENTS_NOTIFY_RETENTION_DAYS = env_int("COMMENTS_NOTIFY_RETENTION_DAYS", 30)
# Confirmation emails one network address may cause (guests following discussions).
COMMENTS_SUBSCRIBE_RATE_LIMITS = os.environ.get("COMMENTS_SUBSCRIBE_RATE_LIMITS", "10/hour")
