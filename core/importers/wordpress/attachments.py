"""
Attachments: each file stored once, found again by its address.

All attachments of every file are handled before any post, so a post can use
an image from another file of the same export (WordPress's importer rewrites
addresses only within one file). Each is recorded in ``ImportedItem`` with its
address key (``content.url_key``), stored file and renditions, alt text,
caption, credit and page address; a file that is missing or refused is listed
and the record kept without a file, so its page still redirects and a later
run with the files can store it.
"""

from __future__ import annotations

import hashlib
import json
import re

from django.core.files.storage import default_storage
from django.db.models import Q

from core.models import ImportedItem

from .content import url_key
from .mapping import term_name
from .media import MediaMissing, MediaSource, store_image
from .parse import Item

KIND = ImportedItem.Kind.ATTACHMENT
# The credit line WordPress keeps in the serialised image metadata.
CREDIT = re.compile(r's:6:"credit";s:\d+:"([^"]*)"')


def _describe(item: Item) -> dict:
    credit = CREDIT.search(item.meta.get("_wp_attachment_metadata", ""))
    return {
        "url": (item.get("attachment_url") or item.get("guid")).strip(),
        "parent": item.get("post_parent").strip(),
        "link": item.get("link").strip(),
        "title": term_name(item.get("title")),
        "alt": term_name(item.meta.get("_wp_attachment_image_alt", "")),
        "caption": term_name(item.get("excerpt")),
        "credit": term_name(credit.group(1)) if credit else "",
    }


class Attachments:
    def __init__(self, *, source: str, media: MediaSource | None, report):
        self.source = source
        self.media = media  # None in a dry run: nothing is read or stored
        self.report = report

    def handle(self, item: Item, *, file: str) -> None:
        described = _describe(item)
        digest = hashlib.sha256(
            json.dumps(described, sort_keys=True).encode()
        ).hexdigest()
        record = ImportedItem.objects.filter(
            source=self.source, kind=KIND, wp_id=item.post_id
        ).first()
        if record is not None and record.data.get("stored"):
            if record.digest == digest:
                self.report.add("attachment", "unchanged")
                return
            record.data.update(described)
            record.digest = digest
            record.url_key = url_key(described["url"])[:500]
            record.save()
            self.report.add("attachment", "updated")
            return
        stored, renditions, reason = "", [], ""
        try:
            if self.media is None:
                raise MediaMissing("not read in a dry run")
            data = self.media.read(described["url"])
            stored, renditions = store_image(data, url=described["url"])
        except MediaMissing as error:
            reason = str(error)
        ImportedItem.objects.update_or_create(
            source=self.source,
            kind=KIND,
            wp_id=item.post_id,
            defaults={
                "guid": item.get("guid").strip()[:500],
                "url_key": url_key(described["url"])[:500],
                "digest": digest if stored else "",
                "data": {**described, "stored": stored, "renditions": renditions},
            },
        )
        if stored:
            self.report.add("attachment", "created")
        else:
            self.report.add(
                "attachment",
                "skipped",
                wp_id=item.post_id,
                reason=f"{described['url']}: {reason}",
                file=file,
            )


def media_url(stored: str) -> str:
    return default_storage.url(stored) if stored else ""


def lookup(source: str, *, keys: set[str], wp_ids: set[str]) -> dict:
    """Stored attachments by address key and by id, in one query."""

    query = Q(url_key__in=keys) if keys else Q()
    if wp_ids:
        query |= Q(source=source, wp_id__in=wp_ids)
    if not query:
        return {}
    found = {}
    for record in ImportedItem.objects.filter(query, kind=KIND):
        if record.source == source and record.wp_id in wp_ids:
            found[("id", record.wp_id)] = record
        if record.data.get("stored"):
            found.setdefault(("key", record.url_key), record)
    return found
