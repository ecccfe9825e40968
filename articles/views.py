from django.db.models import Count, Prefetch
from django.shortcuts import get_object_or_404, redirect
from django.views.generic import DetailView, ListView
from taggit.models import Tag

from comments.models import public_filter

from .models import Article, Author, KeyTakeaway, Section


class PublishedArticlesMixin:
    """Every public page starts from ``Article.objects.published()``."""

    paginate_by = 20

    def get_queryset(self):
        return Article.objects.published().with_bylines()


class FrontPageView(PublishedArticlesMixin, ListView):
    template_name = "articles/front_page.html"
    context_object_name = "articles"


class SectionDetailView(PublishedArticlesMixin, ListView):
    template_name = "articles/article_list.html"
    context_object_name = "articles"

    def get_queryset(self):
        self.section = get_object_or_404(Section, slug=self.kwargs["slug"])
        return super().get_queryset().filter(section=self.section)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            heading=self.section.name, intro=self.section.description, **kwargs
        )


class TagDetailView(PublishedArticlesMixin, ListView):
    template_name = "articles/article_list.html"
    context_object_name = "articles"

    def get_queryset(self):
        self.tag = get_object_or_404(Tag, slug=self.kwargs["slug"])
        return super().get_queryset().filter(tags=self.tag)

    def get_context_data(self, **kwargs):
        return super().get_context_data(heading=self.tag.name, **kwargs)


class AuthorDetailView(PublishedArticlesMixin, ListView):
    template_name = "articles/author_detail.html"
    context_object_name = "articles"

    def get_queryset(self):
        self.author = get_object_or_404(Author, slug=self.kwargs["slug"])
        return super().get_queryset().filter(authors=self.author)

    def get_context_data(self, **kwargs):
        return super().get_context_data(author=self.author, **kwargs)


class ArticleDetailView(DetailView):
    template_name = "articles/article_detail.html"
    context_object_name = "article"

    def get_queryset(self):
        return (
            Article.objects.published()
            .with_bylines()
            .annotate(
                comment_count=Count("comments", filter=public_filter("comments__"))
            )
            .prefetch_related(
                "tags",
                Prefetch(
                    "takeaways", queryset=KeyTakeaway.objects.order_by("position", "pk")
                ),
            )
        )

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        canonical = self.object.get_absolute_url()
        if request.path != canonical:
            # The slug names the piece; a wrong date in the path is a redirect.
            return redirect(canonical, permanent=True)
        return self.render_to_response(self.get_context_data(object=self.object))
