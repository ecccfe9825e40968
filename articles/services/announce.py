"""
Tell outside listeners (``articles.signals``) what a write did to a piece's
public life, once the transaction commits. One place decides, from the row
before and after a write, which of published, updated or withdrawn it was.

A bulk writer that is not news (an import of a thousand old pieces) wraps
its work in ``announcements_held()``: inside it nothing is announced, so
partners are not sent a webhook per imported piece (docs/api.md, "Events").
"""

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import partial

from django.db import transaction
from django.utils import timezone

from articles import signals
from articles.models import Article


def _was_live(row: dict | None, now) -> bool:
    return bool(
        row
        and row.get("status") == Article.Status.PUBLISHED
        and row.get("publish_at") is not None
        and row["publish_at"] <= now
    )


logger = logging.getLogger(__name__)

# How many announcements the innermost ``announcements_held()`` block around
# this call has held back; None outside any. A context variable, so that it
# belongs to this call stack alone: another request or job in the same
# process announces as usual.
_held: ContextVar[list[int] | None] = ContextVar("announcements_held", default=None)


@contextmanager
def announcements_held() -> Iterator[None]:
    """Announce nothing written inside this block (a context manager, or a
    decorator: ``@announcements_held()``). The writes themselves, their
    purges and their jobs happen as usual; only the signals to outside
    listeners (the webhooks) are dropped, not sent later: a partner catches up
    with ``modified_since``. Blocks nest."""
    count = [0]
    token = _held.set(count)
    try:
        yield
    finally:
        _held.reset(token)
        if count[0]:
            logger.info("%d article announcements held back", count[0])


def _send(signal, **kwargs) -> None:
    held = _held.get()
    if held is not None:
        held[0] += 1
        return
    # robust: a listener's failure must not cost the other on-commit work.
    transaction.on_commit(
        partial(signal.send, sender=Article, **kwargs),
        robust=True,
    )


def announce_write(article: Article, *, before_row: dict | None) -> None:
    """A draft's edits and moves between draft and review say nothing: only
    what a reader can or could see is announced."""
    now = timezone.now()
    was_live = _was_live(before_row, now)
    published = article.status == Article.Status.PUBLISHED
    was_published = bool(before_row) and (
        before_row.get("status") == Article.Status.PUBLISHED
    )
    if published and (
        not was_published
        or (not was_live and before_row.get("publish_at") != article.publish_at)
    ):
        # Newly out, or a scheduled piece moved to another time.
        _send(
            signals.article_published,
            article_id=article.pk,
            at=now,
            publish_at=article.publish_at,
        )
    elif published and was_live:
        _send(signals.article_updated, article_id=article.pk, at=now)
    elif was_live and not published:
        _send(signals.article_withdrawn, article_id=article.pk, at=now)


def announce_correction(article: Article) -> None:
    """A correction of a piece readers can see."""
    if article.is_published():
        _send(signals.article_corrected, article_id=article.pk, at=timezone.now())
