"""
The article page: the piece at its canonical address, a 301 from an address
it had, 410 Gone for a withdrawn piece.
"""

from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.generic import DetailView

from articles import cache, fragments
from articles.models import Article, ArticlePath
from articles.selectors.pages import article_page_context, article_page_queryset

RELATED_TEMPLATE = "articles/includes/related.html"


class ArticleDetailView(DetailView):
    template_name = "articles/article_detail.html"
    context_object_name = "article"

    def get_queryset(self):
        return article_page_queryset(Article.objects.published())

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
        context = super().get_context_data(
            **article_page_context(self.object), **kwargs
        )
        # A published piece's public page: its related block and comment
        # section may come from the shared cache (articles.cache, "Fragments");
        # a preview never sets ``shared_fragments``.
        context["shared_fragments"] = True
        html, related_ids = fragments.related_fragment(
            self.object, render=lambda: related_block(context["related"])
        )
        context["related_block"] = mark_safe(html)
        cache.mark_article_page(self.request, self.object, related_ids)
        return context


def related_block(related) -> tuple[str, list[int]]:
    """The related articles under the piece, rendered, and their ids."""
    items = list(related)
    html = render_to_string(RELATED_TEMPLATE, {"related": items})
    return str(html), [item.pk for item in items]
