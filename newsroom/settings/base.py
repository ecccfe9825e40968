"""
The site's settings: Django, the database, the cache, files, the editor, mail,
the publication and its comments, all read from the environment.

docs/deploy.md lists each variable with its default; the security headers,
cookies and sign-in rules are in ``security.py`` beside this file.
"""

import os
import re
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from .env import env_bool, env_float, env_int, env_list

BASE_DIR = Path(__file__).resolve().parent.parent.parent


DEBUG = env_bool("DEBUG", default=False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set the SECRET_KEY environment variable to a "
            "long random string, for example the output of "
            "python -c 'import secrets; print(secrets.token_urlsafe(50))', "
            "or set DEBUG=true for a development key."
        )
    # A key for development only: it never signs anything with DEBUG off.
    SECRET_KEY = "django-insecure-development-key-never-used-with-debug-off"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "ckeditor",
    "ckeditor_uploader",
    "taggit",
    "reversion",
    "csp",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    # Background jobs: Django 6's tasks API (backport) and its database queue.
    "django_tasks",
    "django_tasks_db",
    "articles",
    "comments",
    # Site-wide work that belongs to no one model (backup, seeding, the desk).
    "core",
    # The content API (django-ninja; "ninja" serves its docs' assets ourselves).
    "ninja",
    "api",
]

MIDDLEWARE = [
    # First: /healthz and /readyz answer a load balancer's probe before the
    # host check, the HTTPS redirect and the page cache could (core/health.py).
    "newsroom.middleware.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # /api/ only: API key, rate limit and CORS, outside the page cache so that
    # cached answers are counted and CORS headers are never stored.
    "api.middleware.ApiGateMiddleware",
    # Answers anonymous readers' page-cache hits (with their 304s) before
    # anything below runs, and stores the finished public pages.
    "caching.pages.PageCacheMiddleware",
    # Inside the page cache, so the headers they set are stored with a public
    # page and a hit replays them without running these again. Public pages
    # get no nonce, so a stored page and its header stay valid for everyone.
    "newsroom.middleware.ContentSecurityPolicyMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    # ETag from the body and 304 answers for live pages.
    "django.middleware.http.ConditionalGetMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Old addresses of imported pieces (/?p=123, WordPress's paths): a 301
    # where the answer would be 404; costs nothing on pages that exist.
    "core.middleware.OldAddressMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Marks whether the signed-in user gave an authenticator code (django-otp).
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Turns a view's database errors into 503 with Retry-After, not 500
    # (no other middleware below handles exceptions).
    "newsroom.middleware.DatabaseUnavailableMiddleware",
    # Last, as django-axes asks: turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out username/address pair before any password
    # is checked, and records failures.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "newsroom.urls"

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
                "articles.context_processors.site",
            ],
        },
    },
]

# Every form, on the site and in the admin: limits shown, never a silent cut.
FORM_RENDERER = "core.limits.FormRenderer"

WSGI_APPLICATION = "newsroom.wsgi.application"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "")
# The shared cache's folder when there is no Redis; created on first use. On
# local disk only: SQLite's locking is not reliable over NFS.
CACHE_DIR = Path(os.environ.get("CACHE_DIR") or BASE_DIR / "var" / "cache")
if REDIS_URL:
    CACHES = {
        "default": {
            # Django's RedisCache that degrades to "no cache" while Redis is
            # away, instead of failing the request (caching.backend).
            "BACKEND": "caching.backend.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "newsroom"),
            # The page cache's hits are answered from each process's copy of
            # what it read, which Redis invalidates when a key changes, and
            # read again after at most SECONDS (0: read Redis every hit);
            # ENTRIES and MB bound the copy. See docs/caching.md.
            "MIRROR": {
                "seconds": env_float("REDIS_MIRROR_SECONDS", 0.25),
                "entries": env_int("REDIS_MIRROR_ENTRIES", 512),
                "size": env_int("REDIS_MIRROR_MB", 16) * 1024 * 1024,
            },
        }
    }
else:
    CACHES = {
        "default": {
            # Without Redis, SQLite files on local disk that every worker
            # process of this machine shares (python-diskcache), degrading to
            # "no cache" if the folder cannot be used (caching.backend). Never
            # per-process memory: workers would disagree about purges and
            # count rate limits each for itself (caching.checks refuses it).
            "BACKEND": "caching.disk.SharedDiskCache",
            "LOCATION": str(CACHE_DIR),
            # Writes to different keys go to different SQLite files, so
            # workers rarely wait for each other's write lock.
            "SHARDS": 8,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "newsroom"),
        }
    }

# Background jobs (docs/deploy.md, "Background jobs"): emails, webhooks and
# imports run in `manage.py run_jobs`, never in a reader's request. The queue
# is a table in the site's database (django-tasks-db), so it needs no server,
# is shared by every app server, and keeps a job queued while no worker runs.
# - JOBS_BACKEND: "database" (the queue; run a worker) or "immediate" (run each
#   job in the process that queued it, after commit: no worker, no retries;
#   for a laptop that runs no worker, never for a site with readers).
# - JOBS_MAX_ATTEMPTS: attempts in all before a failing job is given up.
# - JOBS_RETRY_SECONDS: the wait after the first failure, doubled after each
#   further one (at most an hour).
# - JOBS_WORKER_TIMEOUT: a worker silent this long is taken for dead, and the
#   job it was running goes back in the queue.
# - WEBHOOK_TIMEOUT: seconds a webhook receiver has to answer.
# - JOBS_KEEP_DAYS, JOBS_KEEP_FAILED_DAYS: finished jobs stay in the queue's
#   table (admin: Tasks Database Backend) this long, failed ones longer; a
#   worker deletes older ones every JOBS_HOUSEKEEPING_SECONDS (0: never; run
#   `manage.py housekeeping` from cron instead).
_JOB_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
}
JOBS_BACKEND = os.environ.get("JOBS_BACKEND", "database")
if JOBS_BACKEND not in _JOB_BACKENDS:
    raise ImproperlyConfigured(
        f"JOBS_BACKEND must be one of {', '.join(_JOB_BACKENDS)}, not {JOBS_BACKEND!r}."
    )
TASKS = {"default": {"BACKEND": _JOB_BACKENDS[JOBS_BACKEND]}}
NEWSROOM_JOBS_MAX_ATTEMPTS = env_int("JOBS_MAX_ATTEMPTS", 5)
NEWSROOM_JOBS_RETRY_SECONDS = env_int("JOBS_RETRY_SECONDS", 30)
NEWSROOM_JOBS_WORKER_TIMEOUT = env_int("JOBS_WORKER_TIMEOUT", 60)
NEWSROOM_JOBS_KEEP_DAYS = env_int("JOBS_KEEP_DAYS", 14, minimum=1)
NEWSROOM_JOBS_KEEP_FAILED_DAYS = env_int("JOBS_KEEP_FAILED_DAYS", 60, minimum=1)
NEWSROOM_JOBS_HOUSEKEEPING_SECONDS = env_int(
    "JOBS_HOUSEKEEPING_SECONDS", 3600, minimum=0
)
NEWSROOM_WEBHOOK_TIMEOUT = env_int("WEBHOOK_TIMEOUT", 10)

_VALIDATORS = "django.contrib.auth.password_validation"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": f"{_VALIDATORS}.UserAttributeSimilarityValidator"},
    {
        "NAME": f"{_VALIDATORS}.MinimumLengthValidator",
        # Every account here is staff: an editor's password guards embargoed
        # drafts. 12 characters is OWASP ASVS level 2's minimum.
        "OPTIONS": {"min_length": env_int("PASSWORD_MIN_LENGTH", 12)},
    },
    {"NAME": f"{_VALIDATORS}.CommonPasswordValidator"},
    {"NAME": f"{_VALIDATORS}.NumericPasswordValidator"},
]

LANGUAGE_CODE = os.environ.get("LANGUAGE_CODE", "en-gb")
LANGUAGES = [("en-gb", _("English"))]
TIME_ZONE = os.environ.get("TIME_ZONE", "Europe/London")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
# "default" (the media files) is set in storage.py, from MEDIA_STORAGE.
STORAGES = {
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# MEDIA_URL, MEDIA_ROOT and where uploads are stored: storage.py.

# Uploads: checked by content in articles.images, whatever the file is called.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
NEWSROOM_IMAGE_MAX_BYTES = env_int("IMAGE_MAX_BYTES", 10 * 1024 * 1024)
NEWSROOM_IMAGE_MAX_PIXELS = env_int("IMAGE_MAX_PIXELS", 40_000_000)
NEWSROOM_RENDITION_WIDTHS = (320, 640, 960, 1280, 1920)
# A stored image (at most 2560 a side) over this many pixels gets its
# renditions from a job after commit, not inside the editor's request.
NEWSROOM_IMAGE_INLINE_MAX_PIXELS = env_int("IMAGE_INLINE_MAX_PIXELS", 4_000_000)

# CKEditor 4 (bundled by django-ckeditor) is out of upstream support. Nothing it
# produces is trusted: articles.sanitize cleans every body on save against an
# allow-list, and uploads go through articles.views.uploads.editor_upload, which checks
# images by content. That is why its "unsupported version" warning is silenced.
SILENCED_SYSTEM_CHECKS = ["ckeditor.W001"]
CKEDITOR_UPLOAD_PATH = "uploads/"
CKEDITOR_ALLOW_NONIMAGE_FILES = False
CKEDITOR_IMAGE_BACKEND = "ckeditor_uploader.backends.PillowBackend"
CKEDITOR_CONFIGS = {
    "default": {
        "toolbar": "Custom",
        "toolbar_Custom": [
            ["Format", "Bold", "Italic", "Strike", "Subscript", "Superscript"],
            ["NumberedList", "BulletedList", "Blockquote"],
            ["Link", "Unlink"],
            ["Image", "Table", "HorizontalRule"],
            ["RemoveFormat", "Source"],
        ],
        "format_tags": "p;h2;h3;h4;pre",
        "height": 420,
        "width": "100%",
        "removePlugins": "exportpdf",
        # Tell CKEditor what the server keeps, so the editor does not show
        # what the sanitiser will remove.
        "allowedContent": (
            "p br strong b em i u s sub sup hr blockquote pre code ul ol li "
            "h2 h3 h4 figure figcaption caption thead tbody tfoot tr;"
            "a[!href,title];img[!src,alt,width,height];ol[start];"
            "th td[colspan,rowspan,scope];table"
        ),
        "disallowedContent": "*{*}; *[on*]",
    }
}

TAGGIT_CASE_INSENSITIVE = True

EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend",
)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "newsroom@localhost")

# What readers see as the publication's name, in titles, feeds and JSON-LD.
NEWSROOM_SITE_NAME = os.environ.get("SITE_NAME", "The Newsroom")
NEWSROOM_SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# Whole public pages for anonymous readers (caching.pages) and parts of pages
# rendered anyway (caching.fragments): how long the shared cache keeps one at
# most, and how long a browser may. Changes purge exactly the pages they
# touch, so the first figure is a safety net.
NEWSROOM_PAGE_CACHE = env_bool("PAGE_CACHE", default=True)
NEWSROOM_PAGE_CACHE_SECONDS = env_int("PAGE_CACHE_SECONDS", 600)
NEWSROOM_FRAGMENT_CACHE = env_bool("FRAGMENT_CACHE", default=True)  # fragments.py
NEWSROOM_BROWSER_CACHE_SECONDS = env_int("BROWSER_CACHE_SECONDS", 60)

# The CDN or Varnish in front (caching.edge, docs/caching.md "CDN"): pages carry
# their tags as Surrogate-Key and Cache-Tag; EDGE_PURGE chooses who is told of
# a purge after commit. The Fastly and Cloudflare adapters are not tested
# against those services.
NEWSROOM_EDGE_PURGE = os.environ.get("EDGE_PURGE", "").strip().lower() or "none"
NEWSROOM_EDGE_PURGE_URLS = env_list("EDGE_PURGE_URLS")
NEWSROOM_EDGE_PURGE_TIMEOUT = env_float("EDGE_PURGE_TIMEOUT", 2.0)
NEWSROOM_EDGE_KEY_PREFIX = os.environ.get("EDGE_KEY_PREFIX", "")
NEWSROOM_EDGE_FASTLY_SERVICE_ID = os.environ.get("EDGE_FASTLY_SERVICE_ID", "")
NEWSROOM_EDGE_FASTLY_TOKEN = os.environ.get("EDGE_FASTLY_TOKEN", "")
NEWSROOM_EDGE_CLOUDFLARE_ZONE_ID = os.environ.get("EDGE_CLOUDFLARE_ZONE_ID", "")
NEWSROOM_EDGE_CLOUDFLARE_TOKEN = os.environ.get("EDGE_CLOUDFLARE_TOKEN", "")
# A dotted path to a callable taking keys=, called when an edge purge fails
# (the background-job engine points it at a task that retries with backoff).
NEWSROOM_EDGE_PURGE_RETRY = ""
_EDGE_NEEDS = {
    "none": (),
    "varnish": ("EDGE_PURGE_URLS",),
    "fastly": ("EDGE_FASTLY_SERVICE_ID", "EDGE_FASTLY_TOKEN"),
    "cloudflare": ("EDGE_CLOUDFLARE_ZONE_ID", "EDGE_CLOUDFLARE_TOKEN"),
}
if NEWSROOM_EDGE_PURGE not in _EDGE_NEEDS:
    raise ImproperlyConfigured(
        f"EDGE_PURGE must be one of {', '.join(_EDGE_NEEDS)}, "
        f"not {NEWSROOM_EDGE_PURGE!r}."
    )
if _missing := [
    name for name in _EDGE_NEEDS[NEWSROOM_EDGE_PURGE] if not os.environ.get(name)
]:
    raise ImproperlyConfigured(
        f"EDGE_PURGE={NEWSROOM_EDGE_PURGE} needs {' and '.join(_missing)}."
    )
if _bad := [u for u in NEWSROOM_EDGE_PURGE_URLS if not re.match(r"https?://", u)]:
    raise ImproperlyConfigured(
        f"EDGE_PURGE_URLS must be http:// or https:// addresses, not {_bad[0]!r}."
    )
if not re.fullmatch(r"[a-z0-9._:-]*", NEWSROOM_EDGE_KEY_PREFIX):
    raise ImproperlyConfigured(
        "EDGE_KEY_PREFIX may hold only lowercase letters, digits and . _ : -"
    )

# How long an editor's preview link of an unpublished piece works, in hours.
NEWSROOM_PREVIEW_HOURS = env_int("PREVIEW_HOURS", 48)

# Comments. The moderation policy (rules, thresholds, word lists, bans) lives
# in the database and is edited in the admin; these are fixed per deployment.
# - COMMENTS_THREADS_PER_PAGE: threads shown under an article before "more".
# - COMMENTS_PROXY_COUNT: how many proxies in front of the app append to
#   X-Forwarded-For (0: trust only REMOTE_ADDR). Rate limits and bans use the
#   address this finds; set it to exactly the number of proxies you run.
# - COMMENTS_MAX_DEPTH: how deep replies nest (1: no replies); a reply to the
#   deepest level joins that level.
# - COMMENTS_CLOSE_AFTER_DAYS: comments close this many days after publication
#   (0: never); editors also turn them off per article.
#   These two shape the article page's HTML, which may be cached whole; that is
#   why they are per deployment rather than moderation settings in the database.
# - COMMENTS_COOKIE_DAYS: how long a reader's signed cookie (their browser id
#   and their own comments' ids) lasts.
NEWSROOM_COMMENTS_THREADS_PER_PAGE = env_int("COMMENTS_THREADS_PER_PAGE", 50)
NEWSROOM_COMMENTS_MAX_DEPTH = env_int("COMMENTS_MAX_DEPTH", 3)
NEWSROOM_COMMENTS_CLOSE_AFTER_DAYS = env_int("COMMENTS_CLOSE_AFTER_DAYS", 14)
NEWSROOM_COMMENTS_PROXY_COUNT = env_int("COMMENTS_PROXY_COUNT", 0)

# The content API (docs/api.md):
# - API_CORS_ORIGINS: origins (scheme://host[:port], comma-separated) whose
#   browsers may read the API; none by default.
# - API_RATE_PER_MINUTE: requests a minute per address without an API key
#   (a key carries its own limit, set in the admin).
API_CORS_ORIGINS = frozenset(env_list("API_CORS_ORIGINS"))
API_RATE_PER_MINUTE = env_int("API_RATE_PER_MINUTE", 120)
NEWSROOM_COMMENTS_COOKIE_DAYS = env_int("COMMENTS_COOKIE_DAYS", 365)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # Retries and given-up jobs (core.jobs.worker) and the worker's own log.
        "core.jobs": {"level": "INFO"},
    },
}
