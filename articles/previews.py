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

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from .models import Article, PreviewLink
from .pages import article_page_context, article_page_queryset
from .services.previews import preview_link_create, preview_link_revoke  # noqa: F401
from .workflow import PREVIEW_PERMISSION, may_preview, may_share  # noqa: F401

SALT = "articles.preview-link"


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
