"""
A post's comments: threads, decisions and commenters kept as they were.

The comments were moderated on the old site already, so they go in through
``comments.services.comment_bulk_create``, which skips the reader rules (no
rate limit, no first-timer hold, no mail) and recounts the article's
approved comments once. WordPress's ``1`` is approved, ``0`` held for a
moderator, ``spam`` spam; trashed comments, pingbacks and trackbacks are not
a reader's words and are skipped. Names, emails, IP addresses and dates are
kept; the commenter's website has no column of ours and is kept in the
import record. A comment already imported is never written again.
"""

from __future__ import annotations

import ipaddress
from datetime import UTC

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from articles.services.rows import rows_insert
from comments.models import Comment
from comments.models.comment import MAX_LENGTH
from comments.services import comment_bulk_create
from core.models import ImportedItem

from .mapping import wp_date
from .parse import Item

KIND = ImportedItem.Kind.COMMENT
STATUSES = {
    "1": Comment.Status.APPROVED,
    "approve": Comment.Status.APPROVED,
    "0": Comment.Status.PENDING,
    "hold": Comment.Status.PENDING,
    "spam": Comment.Status.SPAM,
}


def _email(text: str) -> str:
    try:
        validate_email(text.strip())
    except ValidationError:
        return ""
    return text.strip()


def _ip(text: str) -> str | None:
    try:
        return str(ipaddress.ip_address(text.strip()))
    except ValueError:
        return None


def import_comments(
    *, article, item: Item, source: str, known: dict[str, int], report, file: str
) -> None:
    """Store ``item``'s new comments on ``article``; ``known`` maps comment ids
    already imported to their rows (prefetched for the batch)."""
    import_comments_many(
        posts=[(article, item, file)], source=source, known=known, report=report
    )


def import_comments_many(
    *, posts: list[tuple], source: str, known: dict[str, int], report
) -> None:
    """``import_comments`` for many ``(article, item, file)`` in one
    ``comment_bulk_create``: a batch of new posts writes its comments together."""
    new: list[tuple[str, Comment, dict, str]] = []
    for article, item, file in posts:
        new.extend(_new_comments(article, item, known, report, file))
    if not new:
        return
    # Parents first, as the service wants: WordPress lists them by id, and a
    # reply's id is always higher than its parent's, but sort to be sure.
    new.sort(key=lambda entry: _depth(entry[1]))
    comment_bulk_create(comments=[comment for _, comment, _, _ in new])
    rows_insert(
        ImportedItem,
        [
            ImportedItem(
                source=source,
                kind=KIND,
                wp_id=wp_id,
                guid=post_id,
                object_id=comment.pk,
                data=data,
            )
            for wp_id, comment, data, post_id in new
        ],
    )
    for _ in new:
        report.add("comment", "created")


def has_new_comments(item: Item, known: dict[str, int]) -> bool:
    return any(
        f"{item.post_id}:{raw.get('comment_id', '').strip()}" not in known
        for raw in item.comments
    )


def _new_comments(article, item: Item, known, report, file):
    new = []
    batch: dict[str, Comment] = {}
    for raw in item.comments:
        wp_id = f"{item.post_id}:{raw.get('comment_id', '').strip()}"
        if wp_id in known:
            report.add("comment", "unchanged")
            continue
        kind = raw.get("comment_type", "").strip()
        status = STATUSES.get(raw.get("comment_approved", "").strip())
        if kind in ("pingback", "trackback") or status is None:
            reason = kind or f"status “{raw.get('comment_approved', '')}”"
            report.add(
                "comment",
                "skipped",
                wp_id=wp_id,
                reason=f"{reason}: not imported",
                file=file,
            )
            continue
        created = wp_date(raw.get("comment_date_gmt", ""))
        comment = Comment(
            article=article,
            author_name=raw.get("comment_author", "").strip()[:80],
            author_email=_email(raw.get("comment_author_email", "")),
            ip_address=_ip(raw.get("comment_author_IP", "")),
            body=raw.get("comment_content", "")[:MAX_LENGTH],
            status=status,
            created_at=created.replace(tzinfo=UTC) if created else None,
        )
        parent_id = raw.get("comment_parent", "").strip()
        parent_key = f"{item.post_id}:{parent_id}"
        if parent_id and parent_id != "0":
            if parent_key in batch:
                comment.parent = batch[parent_key]
            elif parent_key in known:
                comment.parent_id = known[parent_key]
        batch[wp_id] = comment
        new.append(
            (wp_id, comment, {"url": raw.get("comment_author_url", "")}, item.post_id)
        )
    return new


def _depth(comment: Comment) -> int:
    depth = 0
    while Comment._meta.get_field("parent").is_cached(comment) and comment.parent:
        comment, depth = comment.parent, depth + 1
    return depth
