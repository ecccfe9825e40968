"""
The article page: the piece at its canonical address, a 301 from an address
it had, 410 Gone for a withdrawn piece.

The public page reads its fragments (the piece itself, its related block, its
comment section, the header with the sections menu) from the shared cache in
one read after its one query
(``articles.fragments``); the parts that query brought stay JSON text unless
a fragment has to be rendered. A preview (``articles.views.previews``)
renders the same templates live (``article_main``).
"""

from django.conf import settings
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.loader import get_template, render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.generic import DetailView

from articles import cache, fragments
from articles.context_processors import site
from articles.models import Article, ArticlePath
from articles.selectors.pages import (
    article_page_context,
    public_article,
    related_articles,
)
from articles.selectors.parts import attach
from articles.templatetags.article_tags import jsonld
from caching import fragments as shared
from caching.pages import collecting

RELATED_TEMPLATE = "articles/includes/related.html"


class ArticleDetailView(DetailView):
    template_name = "articles/article_detail.html"
    context_object_name = "article"

    def get_object(self, queryset=None):
        article = public_article(self.kwargs["slug"])
        if article is None:
            raise Http404
        return article

    def get(self, request, *args, **kwargs):
        try:
            self.object = self.get_object()
        except Http404:
            return self.gone_or_moved(request) or self.not_found()
        canonical = self.object.get_absolute_url()
        if request.path != canonical:
            # The slug names the piece; a wrong date in the path is a redirect.
            cache.mark_redirect(request, self.object)
            return redirect(canonical, permanent=True)
        return self.render_to_response(self.get_context_data(object=self.object))

    def not_found(self):
        raise Http404(_("No article here."))

    def gone_or_moved(self, request):
        """An old address answers 301; a withdrawn piece answers 410 Gone."""
        old = (
            ArticlePath.objects.filter(
                path=request.path, article__in=Article.objects.published()
            )
            .select_related("article")
            .first()
        )
        if old is not None:
            cache.mark_article_page(request, old.article)
            return redirect(old.article.get_absolute_url(), permanent=True)
        # Its old addresses too: a search engine that still holds one should
        # learn that the piece is gone, not that it never existed.
        withdrawn = (
            Article.objects.filter(status=Article.Status.WITHDRAWN)
            .filter(Q(slug=self.kwargs["slug"]) | Q(old_paths__path=request.path))
            .first()
        )
        if withdrawn is not None:
            cache.mark_gone(request, withdrawn)
            response = render(
                request, "articles/article_withdrawn.html", {"article": withdrawn}
            )
            response.status_code = 410
            return response
        return None

    def get_context_data(self, **kwargs):
        article = self.object
        context = super().get_context_data(**kwargs)
        # A published piece's public page: its fragments may come from the
        # shared cache (articles.fragments); a preview never reads them.
        found = fragments.page_fragments(article)
        context["main"] = shared.value(
            found["article"],
            render=lambda: article_main(article_page_context(article)),
        )
        html, related_ids = shared.value(
            found["related"],
            render=lambda: related_block(related_articles(attach(article))),
        )
        context["related_block"] = mark_safe(html)
        context["comment_fragment"] = found["comments"]
        context["site_header"] = mark_safe(
            shared.value(found["header"], render=site_header)
        )
        if collecting(self.request):  # the page cache keeps this page: its tags
            cache.mark_article_page(self.request, attach(article), related_ids)
        return context


def article_main(context: dict) -> dict[str, str]:
    """The piece itself, rendered from ``article_page_context``: its head's
    description, share cards and JSON-LD, and the page's body down to its
    tags, each where ``articles/article_detail.html`` prints it (as HTML:
    plain strings, to store). Nothing of the request: the site's name and
    address are the only other values."""
    context = {
        **context,
        "site_name": settings.NEWSROOM_SITE_NAME,
        "site_url": settings.NEWSROOM_SITE_URL,
    }
    values = {
        name: str(get_template(template).render(context))
        for name, template in fragments.ARTICLE_PARTS.items()
    }
    values["structured_data"] = "".join(map(jsonld, context["jsonld"]))
    return values


def site_header() -> str:
    """The skip link and the header with the sections menu, as ``base.html``
    prints them on a page that marks no section and has no search text."""
    return str(render_to_string(fragments.HEADER_TEMPLATE, site(None)))


def related_block(related) -> tuple[str, list[int]]:
    """The related articles under the piece, rendered, and their ids."""
    items = list(related)
    html = render_to_string(RELATED_TEMPLATE, {"related": items})
    return str(html), [item.pk for item in items]
