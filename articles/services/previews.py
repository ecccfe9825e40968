"""
Preview links: made for an unpublished piece, revoked at will; both written
to the article's admin history (who let a piece out before its time, and
until when). See ``articles.selectors.previews`` for what a link is.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.admin.models import CHANGE, LogEntry
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from articles.models import Article, PreviewLink
from articles.workflow import PREVIEW_PERMISSION, may_preview, may_share


def _log(*, user, article: Article, message: str) -> None:
    LogEntry.objects.log_actions(
        user_id=user.pk,
        queryset=[article],
        action_flag=CHANGE,
        change_message=message,
        single_object=True,
    )


@transaction.atomic
def preview_link_create(*, article: Article, user) -> PreviewLink:
    """A new preview link for ``article``, working for
    ``settings.NEWSROOM_PREVIEW_HOURS`` hours.

    Raises ``PermissionDenied`` for a user who may not share this piece (see
    ``may_share``) and ``ValidationError`` for a piece readers can already see,
    or a withdrawn one.
    """
    if not may_share(user, article):
        raise PermissionDenied(_("You may not share previews of this article."))
    if not may_preview(article):
        raise ValidationError(
            _(
                "Only an unpublished piece (a draft, one in review or a scheduled "
                "one) can be previewed; readers can already see this one or it "
                "was withdrawn."
            )
        )
    now = timezone.now()
    link = PreviewLink.objects.create(
        article=article,
        created_by=user,
        expires_at=now + timedelta(hours=settings.NEWSROOM_PREVIEW_HOURS),
    )
    # The history says who let a piece out before its time, and until when.
    _log(
        user=user,
        article=article,
        message=_("Created a preview link, working until %(when)s.")
        % {"when": timezone.localtime(link.expires_at).strftime("%Y-%m-%d %H:%M %Z")},
    )
    return link


@transaction.atomic
def preview_link_revoke(*, link: PreviewLink, user) -> PreviewLink:
    """Stop ``link`` working now. Revoking a revoked link changes nothing."""
    if not user.has_perm(PREVIEW_PERMISSION):
        raise PermissionDenied(_("You may not revoke previews of articles."))
    now = timezone.now()
    revoked = PreviewLink.objects.filter(pk=link.pk, revoked_at__isnull=True).update(
        revoked_at=now
    )
    link.refresh_from_db(fields=["revoked_at"])
    if revoked:
        _log(user=user, article=link.article, message=_("Revoked a preview link."))
    return link
