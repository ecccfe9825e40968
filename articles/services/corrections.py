"""
Corrections, clarifications and updates: public, dated, never deleted.

Editors (``articles.workflow.may_correct``) add and remove them through these
two services, from the admin's inline, its own page and anywhere else. A
removed correction stays in the database with who removed it, when and why,
and the admin's log says so too. Each purges the corrected piece's page and
the corrections lists.
"""

from datetime import datetime

from django.contrib.admin.models import CHANGE, LogEntry
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from articles.cache import article_changed
from articles.models import Article, Correction
from articles.workflow import may_correct

from .announce import announce_correction


def correction_check(*, article: Article, published_at: datetime) -> None:
    """Raise ``ValidationError`` (keyed by field) if a correction of ``article``
    dated ``published_at`` cannot be added."""
    now = timezone.now()
    live = article.first_published_at is not None and article.first_published_at <= now
    if not live:
        raise ValidationError(
            _(
                "Only a piece that has been published can be corrected; "
                "change the draft instead."
            )
        )
    if published_at > now:
        raise ValidationError(
            {"published_at": _("A correction cannot be dated in the future.")}
        )


@transaction.atomic
def correction_add(
    *,
    article: Article,
    kind: str,
    text: str,
    user,
    published_at: datetime | None = None,
) -> Correction:
    """Publish a correction (or clarification, or update) of ``article``."""
    if not may_correct(user):
        raise PermissionDenied(_("Only editors may correct articles."))
    text = text.strip()
    if not text:
        raise ValidationError({"text": _("Say what was wrong and what is right.")})
    if kind not in Correction.Kind.values:
        raise ValidationError(
            {"kind": _("Choose correction, clarification or update.")}
        )
    published_at = published_at or timezone.now()
    correction_check(article=article, published_at=published_at)
    correction = Correction.objects.create(
        article=article,
        kind=kind,
        text=text,
        published_at=published_at,
        editor=user,
    )
    article_changed(article)
    announce_correction(article)
    return correction


@transaction.atomic
def correction_remove(*, correction: Correction, user, reason: str) -> Correction:
    """Take ``correction`` out of public view, keeping it and saying why.

    Raises ``PermissionDenied`` for anyone but an editor, and
    ``ValidationError``: on ``reason`` without one, with code ``"removed"``
    when it was removed already.
    """
    if not may_correct(user):
        raise PermissionDenied(_("Only editors may remove corrections."))
    reason = reason.strip()
    if not reason:
        raise ValidationError(
            {"reason": _("Say why this correction is removed; readers relied on it.")}
        )
    # Locked, so two editors removing it at once leave one record, not two.
    locked = Correction.objects.select_for_update().get(pk=correction.pk)
    if locked.removed_at is not None:
        raise ValidationError(_("This correction was removed already."), code="removed")
    locked.removed_at = timezone.now()
    locked.removed_by = user
    locked.removal_reason = reason
    locked.save(update_fields=["removed_at", "removed_by", "removal_reason"])
    article_changed(locked.article)
    LogEntry.objects.log_actions(
        user_id=user.pk,
        queryset=[locked],
        action_flag=CHANGE,
        change_message=_("Removed from public view. Reason: %(reason)s")
        % {"reason": reason},
        single_object=True,
    )
    correction.removed_at = locked.removed_at
    correction.removed_by = locked.removed_by
    correction.removal_reason = locked.removal_reason
    return correction
