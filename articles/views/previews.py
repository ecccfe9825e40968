"""
The page a preview link opens: a shareable preview of an unpublished piece.

An editor makes a link for a draft, a piece in review or a scheduled piece
(``articles.services.previews``; what a link is: ``articles.selectors.previews``).
Whoever holds the link sees the article page as
it will be, with a "Preview — not published" banner, never indexed and never
cached. Everything around the piece (related articles, lists) still comes from
``Article.objects.published()``: a preview shows one unpublished piece, never
another.
"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from articles.models import Article
from articles.selectors.pages import article_page_context, article_page_queryset
from articles.selectors.previews import link_state, preview_link_for
from articles.views.pages import article_main, related_block
from articles.workflow import may_preview


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
    link = preview_link_for(token)
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
    # Live, never a fragment: neither the piece nor its related block.
    context["main"] = article_main(context)
    html, _ids = related_block(context["related"])
    context["related_block"] = mark_safe(html)
    context["preview_link"] = link
    return _private(render(request, "articles/preview.html", context))
