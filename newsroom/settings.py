"""
Settings for the newsroom, all read from the environment.

One file, no local overrides: every deployment differs only by its variables.
The README lists each variable with its default.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.strip().lower() in {"1", "true", "yes", "on"}:
        return True
    if value.strip().lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}.")


def env_list(name: str, default: str = "") -> list[str]:
    return [
        item.strip()
        for item in os.environ.get(name, default).split(",")
        if item.strip()
    ]


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(
            f"{name} must be a whole number, not {value!r}."
        ) from None


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
    "articles",
    "comments",
    # Site-wide work that belongs to no one model (backup, seeding, the desk).
    "core",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
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

WSGI_APPLICATION = "newsroom.wsgi.application"

# Database: SQLite in the project by default, anything dj-database-url reads otherwise.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite serves one machine. WAL lets readers work while a writer writes;
    # IMMEDIATE takes the write lock at BEGIN, so two writers queue up on the
    # busy timeout instead of failing with "database is locked" mid-transaction.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": env_int("SQLITE_BUSY_TIMEOUT", 20),
        "init_command": (
            "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;PRAGMA foreign_keys=ON;"
        ),
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            # Django's RedisCache that degrades to "no cache" while Redis is
            # away, instead of failing the request (caching.backend).
            "BACKEND": "caching.backend.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "newsroom"),
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "newsroom",
        }
    }

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
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
# Serve uploads from Django only when no web server or object store does it.
SERVE_MEDIA = env_bool("SERVE_MEDIA", default=DEBUG)

# Uploads: checked by content in articles.images, whatever the file is called.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
NEWSROOM_IMAGE_MAX_BYTES = env_int("IMAGE_MAX_BYTES", 10 * 1024 * 1024)
NEWSROOM_IMAGE_MAX_PIXELS = env_int("IMAGE_MAX_PIXELS", 40_000_000)
NEWSROOM_RENDITION_WIDTHS = (320, 640, 960, 1280, 1920)

# CKEditor 4 (bundled by django-ckeditor) is out of upstream support. Nothing it
# produces is trusted: articles.sanitize cleans every body on save against an
# allow-list, and uploads go through articles.uploads.editor_upload, which checks
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

# Security headers and cookies ------------------------------------------------------
# `manage.py check --deploy` is clean with DEBUG off and the production variables
# set (README, "Production"); tests/test_deploy_settings.py keeps it so.

# Cookies: the session only ever belongs to staff (readers have none), so it is
# HttpOnly, and so is the CSRF cookie: no script of ours reads it (the admin and
# comments.js take the token from the page or from JSON).
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
# A staff login lasts a working day from sign-in (not sliding: working all day
# does not stretch it) and ends when the browser closes, so a desk computer
# left open overnight or shared at the next shift does not stay signed in.
SESSION_COOKIE_AGE = env_int("SESSION_HOURS", 10) * 60 * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = env_bool("SESSION_EXPIRE_AT_BROWSER_CLOSE", True)
SESSION_SAVE_EVERY_REQUEST = False

# No page is framed, except CKEditor's upload answer (xframe_options_sameorigin).
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
# Our pages open no window that needs a handle back to them (the video plays
# in a frame), so no other site's window shares a browsing context group.
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if not DEBUG:
    # The proxy in front terminates TLS and says so in X-Forwarded-Proto; it
    # must overwrite (not pass on) a client's own X-Forwarded-Proto.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 30)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    # The directive alone submits nothing; listing is a separate, manual step.
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)

# The players the article page's video may load (articles.video makes the
# addresses): YouTube's no-cookie host and Vimeo's player.
VIDEO_ORIGINS = ["https://www.youtube-nocookie.com", "https://player.vimeo.com"]

# Permissions-Policy (django-permissions-policy): no page of ours uses a
# camera, a microphone, the reader's position, payments or devices, so none may,
# not even a script that slips in. The video player gets what it needs to play
# after the reader presses play: autoplay, fullscreen, picture-in-picture and
# encrypted media (some videos are DRM-protected), for its origin only.
PERMISSIONS_POLICY = {
    "accelerometer": [],
    "ambient-light-sensor": [],
    "autoplay": ["self", *VIDEO_ORIGINS],
    "bluetooth": [],
    "browsing-topics": [],
    "camera": [],
    "display-capture": [],
    "encrypted-media": ["self", *VIDEO_ORIGINS],
    "fullscreen": ["self", *VIDEO_ORIGINS],
    "geolocation": [],
    "gyroscope": [],
    "hid": [],
    "idle-detection": [],
    "magnetometer": [],
    "microphone": [],
    "midi": [],
    "payment": [],
    "picture-in-picture": ["self", *VIDEO_ORIGINS],
    "publickey-credentials-get": [],
    "screen-wake-lock": [],
    "serial": [],
    "usb": [],
    "xr-spatial-tracking": [],
}

# Content-Security-Policy (django-csp 4), enforced. The public pages have no
# inline script or style and no eval, and must keep it so: scripts and styles
# come from our static files only. No nonce either: these pages are cached
# whole and served to every reader, so a nonce in them would be shared, i.e.
# worthless. JSON-LD blocks are data, which CSP does not run or block.
# - img-src: our media and static files; data: is not needed by any page.
# - frame-src: the video players, loaded when the reader presses play.
# - connect-src: comments.js talks to our own endpoints only.
# - frame-ancestors 'none': no site frames us (X-Frame-Options says the same
#   to older browsers).
# - base-uri, form-action: an injected <base> or form cannot send readers or
#   their typing elsewhere.
# EXTRA_CSP_IMG_ORIGINS: a media host (object storage, CDN) if uploads are not
# served from this site.
_SELF = "'self'"
_NONE = "'none'"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [_SELF],
        "script-src": [_SELF],
        "style-src": [_SELF],
        "img-src": [_SELF, *env_list("EXTRA_CSP_IMG_ORIGINS")],
        "font-src": [_SELF],
        "connect-src": [_SELF],
        "media-src": [_SELF],
        "frame-src": VIDEO_ORIGINS,
        "object-src": [_NONE],
        "base-uri": [_NONE],
        "form-action": [_SELF],
        "frame-ancestors": [_NONE],
        "manifest-src": [_SELF],
        "worker-src": [_SELF],
    }
}
# The admin (newsroom.middleware chooses it for every address under /admin/):
# the public policy, loosened only where CKEditor 4.22 cannot work otherwise.
# Found by running it in Chromium under this policy (tests/e2e/test_csp.py,
# and by removing each allowance in turn: without either one, the editor
# stays empty or cannot be typed in):
# - script-src 'unsafe-inline': CKEditor writes its editing area into a blank
#   frame with document.write, including a small inline script that tells the
#   editor the frame is ready; the image dialog's Upload tab is written the
#   same way; its toolbar, combos and dialogs are HTML strings with
#   onclick/onkeydown/onmousedown handlers. None can carry a nonce, and none
#   has a stable hash (they embed per-page function numbers).
# - style-src 'unsafe-inline': CKEditor adds <style> elements for its skin and
#   editing area and style="" attributes on its panels; django-ckeditor's
#   widget and Django's admin have style attributes too.
# Everything else stays as strict as the public site: no 'unsafe-eval',
# scripts load from this site only, images are ours (data: and blob: images,
# e.g. pasted ones, are refused here as the sanitiser refuses them in the body),
# not framed by anyone, and connect-src, img-src and form-action stay on this
# site, so code injected into an admin page cannot fetch, beacon or post what
# it reads to another site. The first defence there stays escaping and the
# body sanitiser (articles.sanitize). CKEditor's image uploads go by XHR
# (its default filebrowserUploadMethod), so no frame is needed for them.
NEWSROOM_ADMIN_CSP = {
    "script-src": [_SELF, "'unsafe-inline'"],
    "style-src": [_SELF, "'unsafe-inline'"],
}

# Two-factor sign-in (django-otp, core.forms and core.views): optional per
# person; the authenticator app shows the site's name (OTP_TOTP_ISSUER, below
# the name).
# Administrators never see another person's key: each sets up their own device.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# Admin login lockout (django-axes) -------------------------------------------------
# Five failed logins for one username from one address lock that pair out for
# 30 minutes (each further try during the lock restarts it). Keyed on the pair,
# not the address alone, so a newsroom behind one office NAT is not locked out
# by one mistyping colleague; not on the username alone, so an attacker cannot
# lock every editor out from one machine by guessing at their names. Guessing
# many passwords from many addresses is slowed by the cool-off per pair and
# stopped by the password rules above. Attempts live in the database, so every
# app server sees the same count. A successful login clears the pair's count.
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_COOLOFF_MINUTES", 30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_LOCKOUT_CALLABLE = "core.views.lockout_response"
# The address as the comment rate limits find it: COMMENTS_PROXY_COUNT proxies
# in front, each appending to X-Forwarded-For (README, "Production").
AXES_CLIENT_IP_CALLABLE = "comments.readers.client_ip"
# Successful logins are in Django's own last_login; only failures are kept.
AXES_DISABLE_ACCESS_LOG = True
AXES_SENSITIVE_PARAMETERS = ["password"]
# Log lines name only the pair that counts (no user agent), and no start-up
# banner in every management command's output.
AXES_VERBOSE = False

EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend",
)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "newsroom@localhost")

# What readers see as the publication's name, in titles, feeds and JSON-LD.
NEWSROOM_SITE_NAME = os.environ.get("SITE_NAME", "The Newsroom")
NEWSROOM_SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
OTP_TOTP_ISSUER = NEWSROOM_SITE_NAME
# django-axes answers a locked-out script's XHR login with CORS headers; only
# our own site may read them (its default is any origin).
AXES_ALLOWED_CORS_ORIGINS = NEWSROOM_SITE_URL

# Whole public pages for anonymous readers (caching.pages): how long the
# shared cache keeps one at most, and how long a browser may. Changes purge
# exactly the pages they touch, so the first figure is a safety net.
NEWSROOM_PAGE_CACHE = env_bool("PAGE_CACHE", default=True)
NEWSROOM_PAGE_CACHE_SECONDS = env_int("PAGE_CACHE_SECONDS", 600)
NEWSROOM_BROWSER_CACHE_SECONDS = env_int("BROWSER_CACHE_SECONDS", 60)

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
NEWSROOM_COMMENTS_COOKIE_DAYS = env_int("COMMENTS_COOKIE_DAYS", 365)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
    },
}
