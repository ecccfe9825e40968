"""
A chosen lead image kept across a form error.

A browser never sends a file twice: when the article form comes back with an
error, the image the editor chose is gone from the page. We keep its bytes in
the shared cache (private: never in the media store, never at a URL; shared by
every app server; gone after ``KEEP_SECONDS``) under a random key, and give the
form a token signed for this user that names the key. Sent back with the next
try, the token turns into the same upload again, which the form validates by
content as it does any upload. A token that is altered, another user's, too
old, or whose bytes the cache no longer has gives nothing, and the form says
the image must be chosen again.
"""

import secrets

from django.core import signing
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile

KEEP_SECONDS = 60 * 60
SALT = "articles.images.kept"


def _cache_key(key: str) -> str:
    return f"kept-upload:{key}"


def keep(upload, *, user) -> str | None:
    """Keep ``upload`` for ``user``; its token, or None if the cache refused it."""
    key = secrets.token_urlsafe(24)
    upload.seek(0)
    content = upload.read()
    upload.seek(0)
    cache.set(
        _cache_key(key),
        {"name": upload.name, "type": upload.content_type, "content": content},
        KEEP_SECONDS,
    )
    if not cache.has_key(_cache_key(key)):
        return None  # no cache reachable: the editor is told to choose again
    return signing.dumps({"key": key, "user": user.pk}, salt=SALT)


def take(token: str, *, user) -> SimpleUploadedFile | None:
    """The upload ``token`` stands for, if it is valid for ``user`` and kept."""
    try:
        payload = signing.loads(token, salt=SALT, max_age=KEEP_SECONDS)
    except signing.BadSignature:  # altered or expired (SignatureExpired)
        return None
    if not isinstance(payload, dict) or payload.get("user") != user.pk:
        return None
    kept = cache.get(_cache_key(str(payload.get("key"))))
    if not kept:
        return None
    return SimpleUploadedFile(kept["name"], kept["content"], kept["type"])
