"""
Where uploads live: the local media folder (the default) or an S3-compatible
bucket through django-storages, chosen by ``MEDIA_STORAGE``.

One rule keeps every part of the site in agreement: ``MEDIA_URL`` is the
public address of the media, and the bucket's storage builds every file's URL
as ``MEDIA_URL`` + its name (by giving django-storages that address as its
``custom_domain``). The body sanitiser, the CSP ``img-src``, og:image, JSON-LD
and the feeds all rely on it. URLs are unsigned (no query-string
authentication): a newsroom's images are public, and a signed URL would change
on every render, which whole-page caching cannot store.

docs/deploy.md ("Object storage") lists the variables.
"""

import os
from pathlib import Path
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

from .base import BASE_DIR, DEBUG, STORAGES
from .env import env_bool, env_int

MEDIA_STORAGE = os.environ.get("MEDIA_STORAGE", "").strip().lower() or "local"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))

# WordPress exports uploaded in the admin (core.importers.wordpress.jobs) wait
# here for their import job. They hold unpublished drafts and commenters'
# emails and IP addresses, so never under MEDIA_ROOT or in the media bucket,
# where anyone who guesses a name could read them. Each app server that runs
# a worker needs this folder (shared, like MEDIA_ROOT, on several servers).
# IMPORT_MAX_BYTES caps one upload (default 200 MB).
NEWSROOM_IMPORT_ROOT = Path(
    os.environ.get("IMPORT_ROOT", BASE_DIR / "private" / "imports")
)
NEWSROOM_IMPORT_MAX_BYTES = env_int("IMPORT_MAX_BYTES", 200 * 1024 * 1024)
# The import's --fetch-media (and the admin's "Download images") follow the
# addresses written in the export, so they reach public addresses only
# (core.outbound); IMPORT_MEDIA_ALLOW_PRIVATE lets them reach private,
# loopback and link-local ones too, for tests and labs, never in production.
IMPORT_MEDIA_ALLOW_PRIVATE = env_bool("IMPORT_MEDIA_ALLOW_PRIVATE", False)
if NEWSROOM_IMPORT_ROOT.resolve().is_relative_to(MEDIA_ROOT.resolve()):
    raise ImproperlyConfigured(
        f"IMPORT_ROOT ({NEWSROOM_IMPORT_ROOT}) must not be inside MEDIA_ROOT "
        f"({MEDIA_ROOT}): uploaded exports hold drafts and commenters' "
        "personal data."
    )

_STORAGE_KINDS = ("local", "s3")


def _absolute_base(url: str, variable: str) -> str:
    """``url`` as an http(s) base address ending in "/", or a clear error."""
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise ImproperlyConfigured(
            f"{variable} must be an absolute http:// or https:// address when "
            f"MEDIA_STORAGE=s3 (for example https://media.example.com/), "
            f"not {url!r}."
        )
    if parts.query or parts.fragment:
        raise ImproperlyConfigured(
            f"{variable} must not hold a query string or fragment: {url!r}."
        )
    return url if url.endswith("/") else url + "/"


def _s3_public_base(
    *, bucket: str, endpoint: str, region: str, custom_domain: str
) -> str:
    """
    The public address of the bucket's files, from the variables given.

    ``MEDIA_URL`` wins (a CDN in front of the bucket), then
    ``AWS_S3_CUSTOM_DOMAIN`` (served over https), then the endpoint with the
    bucket as the first path segment (works for every S3-compatible server),
    then AWS's own virtual-hosted address.
    """
    media_url = os.environ.get("MEDIA_URL", "").strip()
    if media_url:
        return _absolute_base(media_url, "MEDIA_URL")
    if custom_domain:
        if "://" in custom_domain:
            raise ImproperlyConfigured(
                "AWS_S3_CUSTOM_DOMAIN is a host name (and optional path), "
                f"without https://: not {custom_domain!r}. Set MEDIA_URL instead "
                "to give a full address."
            )
        return _absolute_base(f"https://{custom_domain}", "AWS_S3_CUSTOM_DOMAIN")
    if endpoint:
        return _absolute_base(f"{endpoint.rstrip('/')}/{bucket}", "AWS_S3_ENDPOINT_URL")
    if region:
        return f"https://{bucket}.s3.{region}.amazonaws.com/"
    return f"https://{bucket}.s3.amazonaws.com/"


def _s3_storage() -> tuple[dict, str]:
    """The ``STORAGES["default"]`` entry and MEDIA_URL for MEDIA_STORAGE=s3."""
    bucket = os.environ.get("AWS_STORAGE_BUCKET_NAME", "").strip()
    if not bucket:
        raise ImproperlyConfigured(
            "MEDIA_STORAGE=s3 needs AWS_STORAGE_BUCKET_NAME: set it to the name "
            "of the bucket that holds the uploads (docs/deploy.md, "
            '"Object storage"), or unset MEDIA_STORAGE to keep them in MEDIA_ROOT.'
        )
    endpoint = os.environ.get("AWS_S3_ENDPOINT_URL", "").strip()
    region = os.environ.get("AWS_S3_REGION_NAME", "").strip()
    custom_domain = os.environ.get("AWS_S3_CUSTOM_DOMAIN", "").strip()
    location = os.environ.get("AWS_LOCATION", "").strip().strip("/")
    base = _s3_public_base(
        bucket=bucket, endpoint=endpoint, region=region, custom_domain=custom_domain
    )
    public = urlsplit(base)
    options = {
        "bucket_name": bucket,
        "endpoint_url": endpoint or None,
        "region_name": region or None,
        "location": location,
        # URLs: MEDIA_URL + name, unsigned (see the module docstring).
        "custom_domain": public.netloc + public.path.rstrip("/"),
        "url_protocol": f"{public.scheme}:",
        "querystring_auth": False,
        # Two uploads called photo.jpg must not overwrite each other
        # (django-storages overwrites by default; Django's own storage does not).
        "file_overwrite": False,
        # Who may read is the bucket policy's business, not a per-object ACL
        # (new AWS buckets refuse ACLs).
        "default_acl": None,
        # Stored images never change under the same name: a rendition is
        # rewritten only by an editor's new upload, under a new name.
        "object_parameters": {"CacheControl": "public, max-age=31536000"},
    }
    return (
        {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options},
        base + (f"{location}/" if location else ""),
    )


if MEDIA_STORAGE == "s3":
    MEDIA_DEFAULT_STORAGE, MEDIA_URL = _s3_storage()
elif MEDIA_STORAGE == "local":
    MEDIA_DEFAULT_STORAGE = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    MEDIA_URL = os.environ.get("MEDIA_URL", "").strip() or "/media/"
    if not MEDIA_URL.endswith("/"):
        MEDIA_URL += "/"
else:
    raise ImproperlyConfigured(
        f"MEDIA_STORAGE must be one of {', '.join(_STORAGE_KINDS)}, "
        f"not {MEDIA_STORAGE!r}."
    )

#: The origin (scheme://host[:port]) media is served from when it is not this
#: site, for the Content-Security-Policy's img-src; "" for a local path.
MEDIA_ORIGIN = (
    "{0.scheme}://{0.netloc}".format(urlsplit(MEDIA_URL))
    if urlsplit(MEDIA_URL).scheme
    else ""
)

STORAGES = {**STORAGES, "default": MEDIA_DEFAULT_STORAGE}

# Django serves uploads itself only when no web server, bucket or CDN does it,
# and only from a local folder under a path of this site.
SERVE_MEDIA = (
    env_bool("SERVE_MEDIA", default=DEBUG)
    and MEDIA_STORAGE == "local"
    and MEDIA_URL.startswith("/")
)
