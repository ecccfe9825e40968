"""
Every change of an article's state goes through here: from the admin's
buttons, its form, management commands and tests alike.
"""

from datetime import datetime

import reversion
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Article, ArticleTransition
from .workflow import TRANSITIONS, may_edit, may_transition


def _check_version(article: Article, expected_version: int | None) -> None:
    if expected_version is not None and article.version != expected_version:
        # The caller's copy is older than ours: let the UPDATE refuse it.
        article.version = expected_version


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
    article since ``expected_version``; nothing is written in any of these.
    """
    transition = TRANSITIONS.get(action)
    if transition is None or not may_transition(user, article, action):
        raise PermissionDenied(_("You may not do that to this article."))
    note = note.strip()
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
    article.last_edited_by = user
    _check_version(article, expected_version)
    with reversion.create_revision():
        # Nested in the admin's own revision when called from a form save.
        reversion.set_user(user)
        reversion.set_comment(str(transition.label) + (f": {note}" if note else ""))
        article.save()
    ArticleTransition.objects.create(
        article=article,
        from_status=from_status,
        to_status=article.status,
        publish_at=article.publish_at,
        user=user,
        note=note,
    )
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


@transaction.atomic
def article_update(
    *, article: Article, user, expected_version: int, fields: dict
) -> Article:
    """Edit an article's own fields (not its state) with the conflict check."""
    if not may_edit(user, article):
        raise PermissionDenied(_("You may not edit this article."))
    forbidden = {"status", "version", "first_published_at"} & set(fields)
    if forbidden:
        raise ValidationError(
            _("Change the state with a transition, not by editing: %(fields)s")
            % {"fields": ", ".join(sorted(forbidden))}
        )
    for name, value in fields.items():
        setattr(article, name, value)
    article.last_edited_by = user
    article.full_clean(exclude=["version"])
    _check_version(article, expected_version)
    with reversion.create_revision():
        reversion.set_user(user)
        reversion.set_comment(str(_("Edited")))
        article.save()
    return article
