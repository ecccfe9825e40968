"""
Security headers, cookies, the Content-Security-Policy, the Permissions-Policy,
two-factor sign-in and the admin login lockout.
"""

from datetime import timedelta

from .base import DEBUG, NEWSROOM_SITE_NAME, NEWSROOM_SITE_URL
from .env import env_bool, env_int, env_list
from .storage import MEDIA_ORIGIN

# Security headers and cookies ------------------------------------------------------
# `manage.py check --deploy` is clean with DEBUG off and the production variables
# set (docs/deploy.md, "Production"); tests/test_deploy_settings.py keeps it so.

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
# The media origin (a bucket or its CDN, storage.py) is added by itself when
# MEDIA_URL is absolute; EXTRA_CSP_IMG_ORIGINS names any further image host.
_SELF = "'self'"
_NONE = "'none'"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [_SELF],
        "script-src": [_SELF],
        "style-src": [_SELF],
        "img-src": [
            _SELF,
            *([MEDIA_ORIGIN] if MEDIA_ORIGIN else []),
            *env_list("EXTRA_CSP_IMG_ORIGINS"),
        ],
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
# in front, each appending to X-Forwarded-For (docs/deploy.md, "Production").
AXES_CLIENT_IP_CALLABLE = "comments.readers.client_ip"
# Successful logins are in Django's own last_login; only failures are kept.
AXES_DISABLE_ACCESS_LOG = True
AXES_SENSITIVE_PARAMETERS = ["password"]
# Log lines name only the pair that counts (no user agent), and no start-up
# banner in every management command's output.
AXES_VERBOSE = False


OTP_TOTP_ISSUER = NEWSROOM_SITE_NAME
# django-axes answers a locked-out script's XHR login with CORS headers; only
# our own site may read them (its default is any origin).
AXES_ALLOWED_CORS_ORIGINS = NEWSROOM_SITE_URL
