"""
What every comment service does around its change: log it, and tell the
pages and counts. Private to the services package; everything else calls the
services themselves.
"""

from functools import partial

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from articles.cache import comments_added, comments_changed
from articles.services.rows import rows_insert

from .. import counts, signals, tasks
from ..models import AuditEntry, Comment


def purge_pages(*article_ids: int) -> None:
    """The cached pages that show these articles' comments, after commit."""
    comments_changed(*article_ids)


def public_changed(*article_ids: int, added: bool = False) -> None:
    """What readers see under these articles changed: store the new counts
    in this transaction, and purge the cached pages after it commits.

    ``added``: comments only joined the public ones (none left or changed),
    so the purge may be soft (``articles.cache.comments_added``).
    """
    counts.recount(*article_ids)
    if added:
        comments_added(*article_ids)
    else:
        purge_pages(*article_ids)


def public_comment_added(article_id: int, *, counted: bool = False) -> None:
    """One more public comment under this article and nothing else changed
    (a post approved as it came in): one added to the count (unless the
    statement that wrote it did: ``counted``), a soft purge."""
    if not counted:
        counts.count_new_comment(article_id)
    comments_added(article_id)


def actor_fields(actor: AbstractBaseUser | None, via: str = "") -> dict:
    if actor is None:
        return {"actor": None, "actor_name": via}
    return {"actor": actor, "actor_name": actor.get_username()}


def audit_row(*, comment: Comment | None = None, **fields) -> AuditEntry:
    """An unsaved audit entry, about ``comment`` unless the fields say else."""
    if comment is not None:
        fields.setdefault("comment_id", comment.pk)
        fields.setdefault("article_id", comment.article_id)
        fields.setdefault("commenter_email", comment.author_email)
    return AuditEntry(**fields)


def audit_entry(*, comment: Comment | None = None, **fields) -> AuditEntry:
    # A new row, never changed (AuditEntry.save refuses that): one plain
    # INSERT, without the ORM's save (every post writes one).
    (entry,) = rows_insert(AuditEntry, [audit_row(comment=comment, **fields)])
    return entry


def after_approval(comment: Comment) -> None:
    """A newly approved reply may owe its parent's author an email."""
    parent = comment.parent
    if (
        parent is None
        or not parent.notify_replies
        or not parent.author_email
        or parent.author_email == comment.author_email
        or comment.reply_notified_at is not None
    ):
        return
    comment.reply_notified_at = timezone.now()
    comment.save(update_fields=["reply_notified_at"])
    transaction.on_commit(partial(tasks.notify_reply.enqueue, comment.pk), robust=True)


def parent_within_depth(parent: Comment | None, max_depth: int) -> Comment | None:
    """A reply deeper than the site allows joins the deepest allowed level."""
    while parent is not None and parent.depth >= max_depth:
        parent = parent.parent
    return parent


def announce_public(comment: Comment) -> None:
    """``comment`` has just become public: tell outside listeners (the API's
    webhooks, ``comments.signals``) once it is stored. Costs this request no
    query: the listeners decide after commit whether anyone wants to hear."""
    transaction.on_commit(
        partial(
            signals.comment_approved.send,
            sender=Comment,
            comment_id=comment.pk,
            article_id=comment.article_id,
        ),
        robust=True,
    )
