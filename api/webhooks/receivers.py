"""
The webhooks listen to ``articles.signals`` and ``comments.signals`` (sent
after commit), so neither app needs to know the API exists. Connected in
``api.apps.ApiConfig.ready``.
"""

from django.utils import timezone

from articles import signals as article_signals
from comments import signals as comment_signals

from .services import webhook_event_raise

EVENT_OF = {
    article_signals.article_published: "article.published",
    article_signals.article_updated: "article.updated",
    article_signals.article_corrected: "article.corrected",
    article_signals.article_withdrawn: "article.withdrawn",
}


def on_article(sender, *, signal, article_id, at, publish_at=None, **kwargs):
    webhook_event_raise(
        event=EVENT_OF[signal], object_id=article_id, at=at, publish_at=publish_at
    )


def on_comment_approved(sender, *, comment_id, **kwargs):
    webhook_event_raise(
        event="comment.approved", object_id=comment_id, at=timezone.now()
    )


def connect() -> None:
    for signal in EVENT_OF:
        signal.connect(on_article, dispatch_uid=f"webhooks:{EVENT_OF[signal]}")
    comment_signals.comment_approved.connect(
        on_comment_approved, dispatch_uid="webhooks:comment.approved"
    )
