"""
Shareable previews of unpublished pieces.

An editor makes a link for a draft, a piece in review or a scheduled piece. The
link carries a ``PreviewLink`` id signed with ``django.core.signing``, so a
guessed or altered address is refused before the database is asked; when it
expires and whether it was revoked live in the row, where editors see and
change them, not in the token. Whoever holds the link sees the article page as
it will be, with a "Preview — not published" banner, never indexed and never
cached. Everything around the piece (related posts, lists) still comes from
``Article.objects.published()``: a preview shows one unpublished piece, never
another.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.admin.models import CHANGE, LogEntry
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from .models import Article, PreviewLink
from .pages import article_page_context, article_page_queryset
from .workflow import is_editor, is_own

SALT = "articles.preview-link"
PREVIEW_PERMISSION = "articles.change_article"


# Links.


def _signer() -> signing.Signer:
    return signing.Signer(salt=SALT)


def preview_token(link: PreviewLink) -> str:
    """The link's id and its signature: nothing else to read, nothing to guess."""
    return _signer().sign(link.pk.hex)


def preview_url(link: PreviewLink) -> str:
    """The link's absolute address on the canonical origin, to copy and send."""
    path = reverse("articles:preview", kwargs={"token": preview_token(link)})
    return settings.NEWSROOM_SITE_URL + path


def link_state(link: PreviewLink, *, now=None) -> str:
    """``"revoked"``, ``"expired"`` or ``"active"``."""
    if link.revoked_at is not None:
        return "revoked"
    if link.expires_at <= (now or timezone.now()):
        return "expired"
    return "active"


def may_preview(article: Article) -> bool:
    """Whether a preview of ``article`` makes sense: it is not out, nor taken
    down. Drafts, pieces in review and scheduled pieces may be previewed."""
    return not article.is_published() and article.status != Article.Status.WITHDRAWN


def may_share(user, article: Article) -> bool:
    """Whether ``user`` may send ``article`` outside the newsroom before it is
    out: editors any piece, a writer only their own. A colleague may read a
    draft in the admin, but letting it out is for its writer or an editor."""
    if not user.has_perm(PREVIEW_PERMISSION):
        return False
    return is_editor(user) or is_own(user, article)


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


# The public preview page.


def _private(response: HttpResponse) -> HttpResponse:
    """Never cached by anyone, never indexed, never named in a Referer."""
    add_never_cache_headers(response)
    patch_cache_control(response, private=True)
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _refused(request, *, status: int, title: str, notice: str) -> HttpResponse:
    response = render(
        request,
        "articles/preview_gone.html",
        {"title": title, "notice": notice},
        status=status,
    )
    return _private(response)


@require_safe
def preview(request: HttpRequest, token: str) -> HttpResponse:
    """The article page of the piece a preview link names, for anyone holding it."""
    try:
        link_id = _signer().unsign(token)
        link = PreviewLink.objects.select_related("article").get(pk=link_id)
    except (signing.BadSignature, PreviewLink.DoesNotExist, ValidationError):
        # Altered, made up, or naming a link that no longer exists.
        link = None
    if link is None:
        return _refused(
            request,
            status=404,
            title=_("This preview link is not valid"),
            notice=_(
                "Check that you copied the whole address, or ask the editor "
                "who sent it for a new one."
            ),
        )
    article = link.article
    if article.is_published():
        # Out now: the real page is the one to read and to share.
        return _private(redirect(article.get_absolute_url()))
    state = link_state(link)
    if state == "revoked":
        return _refused(
            request,
            status=410,
            title=_("This preview link was revoked"),
            notice=_("The editor withdrew it. Ask them for a new one if you need it."),
        )
    if state == "expired":
        return _refused(
            request,
            status=410,
            title=_("This preview link has expired"),
            notice=_(
                "Preview links work for a limited time. Ask the editor for a new one."
            ),
        )
    if not may_preview(article):
        return _refused(
            request,
            status=410,
            title=_("This piece was withdrawn"),
            notice=_("It is no longer available, in preview or otherwise."),
        )
    article = article_page_queryset(Article.objects.filter(pk=article.pk)).get()
    context = article_page_context(article)
    context["preview_link"] = link
    return _private(render(request, "articles/preview.html", context))
