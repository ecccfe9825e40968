"""
The importer's rules for one post that need no state: which transition takes
a piece where the export wants it, its digests, how a failure is worded, and
the comments of a post that is not imported.
"""

from __future__ import annotations

import hashlib
import json

from django.utils import timezone

import core.importers.wordpress.mapping as mapping
from articles.models import Article
from core.models import ImportedItem

from .parse import Item


def _attachments_fingerprint() -> str:
    """One digest of every stored attachment: a post's body and lead image
    are mapped from them, so any change sends every post the full way."""
    rows = ImportedItem.objects.filter(kind=ImportedItem.Kind.ATTACHMENT).values_list(
        "pk", "source", "wp_id", "url_key", "digest", "data"
    )
    hasher = hashlib.sha256()
    for row in rows.order_by("pk").iterator(chunk_size=2000):
        hasher.update(json.dumps(row, sort_keys=True, default=str).encode())
    return hasher.hexdigest()


def skip_comments(item: Item, report, *, file: str) -> None:
    """The comments of an item that is not imported are counted as skipped."""
    for raw in item.comments:
        report.add(
            "comment",
            "skipped",
            wp_id=f"{item.post_id}:{raw.get('comment_id', '').strip()}",
            reason=f"its {item.post_type} {item.post_id} is not imported",
            file=file,
        )


def _action(target: str, when, *, current: Article | None):
    """The transition that takes the piece from where it is to ``target``."""
    now = timezone.now()
    status = current.status if current else Article.Status.DRAFT
    if target == mapping.SCHEDULED and when is not None and when > now:
        if status == Article.Status.PUBLISHED:
            return None, None  # already out or scheduled: the time is a field
        return "schedule", when
    if target in (mapping.PUBLISHED, mapping.SCHEDULED):
        if status == Article.Status.PUBLISHED:
            return None, None
        return ("publish" if status != Article.Status.WITHDRAWN else "restore"), None
    if target == mapping.REVIEW:
        return ("submit" if status == Article.Status.DRAFT else None), None
    if status == Article.Status.REVIEW:
        return "return_to_draft", None
    if status == Article.Status.PUBLISHED:
        return "unpublish", None
    return None, None


def _digest(fields, bylines, tags, target, paths) -> str:
    canonical = {
        **{key: value for key, value in fields.items() if key != "section"},
        "section": fields["section"].pk,
        "bylines": [author.pk for author in bylines],
        "tags": tags,
        "target": target,
        "paths": paths,
    }
    return hashlib.sha256(
        json.dumps(canonical, sort_keys=True, default=str).encode()
    ).hexdigest()


def _reason(error: Exception) -> str:
    messages = getattr(error, "message_dict", None) or getattr(error, "messages", None)
    if isinstance(messages, dict):
        return "; ".join(f"{key}: {' '.join(value)}" for key, value in messages.items())
    if messages:
        return " ".join(messages)
    return f"{type(error).__name__}: {error}"
