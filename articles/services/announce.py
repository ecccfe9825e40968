"""
Tell outside listeners (``articles.signals``) what a write did to a piece's
public life, once the transaction commits. One place decides, from the row
before and after a write, which of published, updated or withdrawn it was.
"""

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


def _send(signal, **kwargs) -> None:
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
