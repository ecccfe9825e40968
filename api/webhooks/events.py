"""
What each event says, and one delivery of it per subscription that wants it.

Payloads are built when the job runs, from the API's own selectors and
representation, so a webhook shows a piece exactly as ``/api/v1/`` does and
never more: a piece that is no longer (or not yet) published sends nothing,
and a withdrawal carries only the piece's id, address and time.
"""

import json
import uuid

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils.dateparse import parse_datetime

from api import representation, selectors
from articles import metadata
from articles.models import Article
from comments.models import Comment

from .models import WebhookDelivery, WebhookSubscription


def _published_article(article_id: int, publish_at: str | None) -> dict | None:
    found = selectors.attached(
        selectors.with_parts(Article.objects.published().filter(pk=article_id))
    )
    if not found:
        return None
    if publish_at is not None and found[0].publish_at != parse_datetime(publish_at):
        # Scheduled again for another time: that time's job announces it.
        return None
    return representation.article(found[0])


def data_build(
    *, event: str, object_id: int, at: str, publish_at: str | None = None
) -> dict | None:
    """The event's ``data``, or None when there is nothing public to say."""
    if event == "article.withdrawn":
        article = Article.objects.filter(pk=object_id).first()
        if article is None or article.is_published():
            return None
        return {
            "id": article.pk,
            "url": metadata.absolute_url(article.get_absolute_url()),
            "withdrawn_at": at,
        }
    if event == "comment.approved":
        comment = (
            Comment.objects.filter(pk=object_id, status=Comment.Status.APPROVED)
            .filter(article__in=Article.objects.published())
            .select_related("article")
            .first()
        )
        if comment is None or not comment.is_public:
            return None
        return {
            "article": {
                "id": comment.article_id,
                "url": metadata.absolute_url(comment.article.get_absolute_url()),
            },
            "comment": representation.comment(comment),
        }
    return _published_article(object_id, publish_at)


@transaction.atomic
def deliveries_create(*, event: str, data: dict, at: str) -> list[WebhookDelivery]:
    """One delivery per active subscription to ``event``, sharing one id."""
    message_id = f"msg_{uuid.uuid4().hex}"
    body = json.dumps(
        {"type": event, "timestamp": at, "data": data},
        cls=DjangoJSONEncoder,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    wanted = [
        each
        for each in WebhookSubscription.objects.filter(is_active=True)
        if event in each.events
    ]
    return WebhookDelivery.objects.bulk_create(
        WebhookDelivery(
            subscription=each, message_id=message_id, event=event, body=body
        )
        for each in wanted
    )
