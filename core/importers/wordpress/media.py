"""
Where an attachment's file comes from, and how it is stored.

Three sources: a local copy of ``wp-content/uploads`` (``--media-from``), the
old site over HTTP(S) (``--fetch-media``), or none (each file is listed as
missing and the pieces come in without it). A download has a timeout, a few
retries for what may pass (timeouts, 5xx), none for what will not (404), and
stops reading past the size limit, so a wrong link cannot fill the disk. An
export is someone else's text: a download goes only to public addresses
(``core.outbound``; every redirect checked again), unless
``IMPORT_MEDIA_ALLOW_PRIVATE`` lifts the rule for tests and labs.
Every file then goes through the admin's own checks and re-encoding
(``articles.images``): refused as not an image, too big or broken, with the
same words an editor would read.
"""

from __future__ import annotations

import http.client
import io
import posixpath
import re
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage

from articles.images import discard_files, make_renditions, normalise_image
from core.outbound import RefusedTarget, pinned_connection, public_addresses

from .content import UPLOADS

STORE_UNDER = "imports/wordpress"
USER_AGENT = "newsroom-wordpress-import/1"
REDIRECTS = {301, 302, 303, 307, 308}
MAX_REDIRECTS = 5


class MediaMissing(Exception):
    """The file could not be had or was refused; the reason is for the report."""


@dataclass
class MediaSource:
    directory: Path | None = None
    fetch: bool = False
    timeout: float = 10.0
    retries: int = 2
    max_bytes: int | None = None

    @property
    def limit(self) -> int:
        return self.max_bytes or settings.NEWSROOM_IMAGE_MAX_BYTES

    def read(self, url: str) -> bytes:
        """The file's bytes, or ``MediaMissing`` with why not."""
        if self.directory is not None:
            return self._read_local(url)
        if self.fetch:
            return self._download(url)
        raise MediaMissing("no media source (give --media-from or --fetch-media)")

    def _read_local(self, url: str) -> bytes:
        path = unquote(urlsplit(url).path)
        relative = path.split(UPLOADS, 1)[1] if UPLOADS in path else path.lstrip("/")
        root = self.directory.resolve()
        candidate = (root / relative).resolve()
        if not candidate.is_relative_to(root):
            raise MediaMissing("the address leads outside the media folder")
        if not candidate.is_file():
            raise MediaMissing(f"not in the media folder ({relative})")
        if candidate.stat().st_size > self.limit:
            raise MediaMissing(f"larger than {self.limit} bytes")
        return candidate.read_bytes()

    def _download(self, url: str) -> bytes:
        last = "no attempt"
        for attempt in range(self.retries + 1):
            if attempt:
                time.sleep(min(0.2 * 2**attempt, 2))
            try:
                return self._get(url)
            except _Retry as error:
                last = str(error)
        raise MediaMissing(last)

    def _get(self, url: str) -> bytes:
        """One attempt, redirects followed (each new address checked again).
        ``MediaMissing`` for what will not pass, ``_Retry`` for what may."""
        for _hop in range(MAX_REDIRECTS + 1):
            try:
                addresses = public_addresses(
                    url, allow_private=settings.IMPORT_MEDIA_ALLOW_PRIVATE
                )
            except RefusedTarget as error:
                raise MediaMissing(f"not fetched: {error}") from None
            connection, path = pinned_connection(url, addresses, timeout=self.timeout)
            try:
                connection.request("GET", path, headers={"User-Agent": USER_AGENT})
                answer = connection.getresponse()
                location = answer.getheader("Location")
                if answer.status in REDIRECTS and location:
                    url = urljoin(url, location)
                    continue
                if answer.status >= 500:
                    raise _Retry(f"HTTP {answer.status}")
                if answer.status >= 300:
                    raise MediaMissing(f"HTTP {answer.status}")
                length = answer.getheader("Content-Length")
                if length and length.isdigit() and int(length) > self.limit:
                    raise MediaMissing(f"larger than {self.limit} bytes")
                data = answer.read(self.limit + 1)
                if len(data) > self.limit:
                    raise MediaMissing(f"larger than {self.limit} bytes")
                return data
            except (OSError, http.client.HTTPException) as error:
                raise _Retry(f"download failed: {error}") from None
            finally:
                connection.close()
        raise MediaMissing(f"more than {MAX_REDIRECTS} redirects")


class _Retry(Exception):
    """An attempt that failed in a way the next one may not."""


def store_image(data: bytes, *, url: str) -> tuple[str, list]:
    """Check and re-encode the image as the admin does, store it with its
    renditions; ``(stored name, renditions)`` or ``MediaMissing``."""
    name = posixpath.basename(unquote(urlsplit(url).path)) or "image"
    try:
        content = normalise_image(io.BytesIO(data), name=name)
    except ValidationError as error:
        raise MediaMissing(" ".join(error.messages)) from None
    key = unquote(urlsplit(url).path)
    key = key.split(UPLOADS, 1)[1] if UPLOADS in key else key.lstrip("/")
    # The year/month folders of the old site, and nothing a path could abuse.
    safe = [
        re.sub(r"[^\w-]", "", part)[:40]
        for part in posixpath.dirname(key).split("/")
        if part not in ("", ".", "..")
    ]
    folder = posixpath.join(STORE_UNDER, *[part for part in safe if part])
    stored = default_storage.save(
        default_storage.get_available_name(posixpath.join(folder, content.name)),
        content,
    )
    try:
        renditions = make_renditions(stored, storage=default_storage)
    except BaseException:
        discard_files(default_storage, [stored])
        raise
    return stored, renditions
