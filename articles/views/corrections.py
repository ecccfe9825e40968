"""``/corrections/``: the public list of corrections."""

from django.views.generic import ListView

from articles.selectors.corrections import public_corrections

from .lists import PublishedArticlesMixin


class CorrectionListView(PublishedArticlesMixin, ListView):
    """``/corrections/``: every public correction, newest first, 20 a page."""

    template_name = "articles/corrections.html"
    context_object_name = "corrections"

    def get_queryset(self):
        return public_corrections()
