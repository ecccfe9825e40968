"""
The workflow's moves (draft → review → published, scheduled, withdrawn, and
back), each checked against the role matrix in ``articles.workflow`` and
logged as an ``ArticleTransition`` with who, when and the note.
"""

from datetime import datetime

import reversion
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Prefetch, prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext as _

from articles.models import (
    Article,
    ArticleAuthor,
    ArticleTransition,
    RelatedArticle,
    TaggedArticle,
)
from articles.workflow import TRANSITIONS, may_transition

from .writes import lock, write


def apply_transition(
    article: Article,
    *,
    user,
    action: str,
    publish_at: datetime | None,
    note: str,
) -> tuple[str, str]:
    """Check the move and make it on ``article`` (not saved); its revision
    comment and the status it comes from."""
    transition = TRANSITIONS.get(action)
    if transition is None or not may_transition(user, article, action):
        raise PermissionDenied(_("You may not do that to this article."))
    if transition.needs_note and not note:
        raise ValidationError(
            {"note": _("Say why, in a few words; the note is kept with the piece.")}
        )
    now = timezone.now()
    if action == "schedule":
        if publish_at is None or publish_at <= now:
            raise ValidationError(
                {"publish_at": _("Choose a time in the future to schedule the piece.")}
            )
        article.publish_at = publish_at
    elif action in ("publish", "restore"):
        if article.publish_at is None or article.publish_at > now:
            article.publish_at = now
    elif transition.target == Article.Status.DRAFT and article.is_scheduled:
        # Unscheduling: the planned time no longer holds.
        article.publish_at = None
    from_status = article.status
    article.status = transition.target
    return str(transition.label) + (f": {note}" if note else ""), from_status


def _load_followed_parts(article: Article) -> None:
    """The parts the revision copies, with what each one's name needs.

    django-reversion follows the bylines, picks and tags into the revision and
    names each by its author, pick or tag: a query per part unless loaded
    here. A move changes none of them, so they cannot go stale.
    """
    prefetch_related_objects(
        [article],
        Prefetch("bylines", ArticleAuthor.objects.select_related("author")),
        Prefetch("related_links", RelatedArticle.objects.select_related("to_article")),
        Prefetch("tagged_items", TaggedArticle.objects.select_related("tag")),
        "takeaways",
    )


def record_transition(article: Article, *, user, from_status: str, note: str):
    ArticleTransition.objects.create(
        article=article,
        from_status=from_status,
        to_status=article.status,
        publish_at=article.publish_at,
        user=user,
        note=note,
    )


@transaction.atomic
def article_transition(
    *,
    article: Article,
    user,
    action: str,
    publish_at: datetime | None = None,
    note: str = "",
    expected_version: int | None = None,
) -> Article:
    """Move ``article`` by the named transition, or refuse.

    Raises ``PermissionDenied`` when the user may not press this button on this
    article, ``ValidationError`` (with a reader-friendly message) when the
    request is incomplete, and ``ArticleConflict`` when someone saved the
    article since ``expected_version`` (or since ``article`` was loaded);
    nothing is written in any of these.
    """
    note = note.strip()
    comment, from_status = apply_transition(
        article, user=user, action=action, publish_at=publish_at, note=note
    )
    before = lock(article, expected_version)
    article.last_edited_by = user
    _load_followed_parts(article)
    with reversion.create_revision():
        # Nested in the admin's own revision when called from a form save.
        reversion.set_user(user)
        reversion.set_comment(comment)
        write(article, before=before)
    record_transition(article, user=user, from_status=from_status, note=note)
    return article


def article_submit(*, article: Article, user, **kwargs) -> Article:
    return article_transition(article=article, user=user, action="submit", **kwargs)


def article_return_to_draft(*, article: Article, user, note: str, **kwargs) -> Article:
    return article_transition(
        article=article, user=user, action="return_to_draft", note=note, **kwargs
    )


def article_publish(*, article: Article, user, **kwargs) -> Article:
    return article_transition(article=article, user=user, action="publish", **kwargs)


def article_schedule(
    *, article: Article, user, publish_at: datetime, **kwargs
) -> Article:
    return article_transition(
        article=article, user=user, action="schedule", publish_at=publish_at, **kwargs
    )


def article_unpublish(*, article: Article, user, note: str, **kwargs) -> Article:
    return article_transition(
        article=article, user=user, action="unpublish", note=note, **kwargs
    )


def article_withdraw(*, article: Article, user, note: str, **kwargs) -> Article:
    return article_transition(
        article=article, user=user, action="withdraw", note=note, **kwargs
    )


def article_restore(*, article: Article, user, **kwargs) -> Article:
    return article_transition(article=article, user=user, action="restore", **kwargs)
