"""
Lists of published pieces: the front page, a section's, a tag's, an author's,
the date archive and search. ``PublishedArticlesMixin`` owns the published
queryset, prefetching and bounded pagination for all of them.
"""

from django.core.paginator import InvalidPage, Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.functional import cached_property
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.generic import (
    DayArchiveView,
    ListView,
    MonthArchiveView,
    TemplateView,
    YearArchiveView,
)
from taggit.models import Tag

from articles import cache, metadata
from articles.models import Article, Author, Section
from articles.search import fallback_snippet, highlight, parse_query, search_articles
from articles.selectors import listed, lists

PAGE_SIZE = 20
# Deeper than this, readers use the date archive; the database never has to
# skip tens of thousands of rows for a list page.
MAX_PAGES = 100


class BoundedPaginator(Paginator):
    """Counts at most MAX_PAGES pages of rows: COUNT(*) over a huge section
    or author costs as much as reading it, and nobody pages past the bound.
    A list named by ``list_name`` (a ``cache.list_tag``) keeps its count in
    the shared cache until a change to it is purged (``cache.list_count``)."""

    list_name: str | None = None

    @cached_property
    def count(self) -> int:
        bound = self.per_page * MAX_PAGES

        def count():
            return self.object_list[:bound].count()

        if self.list_name is None:
            return count()
        return lists.list_count(self.list_name, bound=bound, count=count)


class PublishedArticlesMixin:
    """Every public list starts from ``Article.objects.published()``.

    It owns what a page of pieces costs (its rows and their ordered bylines
    in two queries, whatever the page size, as plain values:
    ``listed.listed``) and bounded pagination: a page past the end, or past
    ``MAX_PAGES``, is the friendly 404.
    """

    paginate_by = PAGE_SIZE
    paginator_class = BoundedPaginator
    context_object_name = "articles"
    # An empty list is the 404 (e.g. a tag used only on unpublished pieces,
    # which would name an embargoed story), told by the paginator from the
    # list's count (kept in the shared cache) rather than by a query of its own
    # (what ListView's ``allow_empty = False`` costs).
    empty_list_is_404 = False

    def get_queryset(self):
        # Counted here, read by ``listed`` (``show_page``): the list of
        # ``list_query`` if it has one. The sections come from the menu's
        # copy in the shared cache, not from a query of their own.
        query = self.list_query()
        if query is None:
            return Article.objects.published().only(*listed.LISTED_FIELDS)
        return listed.list_queryset(query).only(*listed.LISTED_FIELDS)

    def list_name(self) -> str | None:
        """The ``cache.list_tag`` of this list, if it has one."""
        return None

    def list_query(self) -> listed.ListQuery | None:
        """Which compiled query reads this list's pages (``listed``), if one
        does; the page's own queryset otherwise."""
        return None

    def get_paginator(self, *args, **kwargs):
        if self.empty_list_is_404:
            kwargs["allow_empty_first_page"] = False
        paginator = super().get_paginator(*args, **kwargs)
        paginator.list_name = self.list_name()
        return paginator

    def show_page(self, context) -> list:
        """The page's pieces with their sections and bylines
        (``listed.listed``); the menu is given the same copy of the sections,
        read once."""
        context["nav_sections"] = menu = cache.nav_sections()
        shown = listed.listed(context["articles"], menu, self.list_query())
        context["articles"] = context["object_list"] = shown
        return shown

    def paginate_queryset(self, queryset, page_size):
        page = self.request.GET.get("page") or self.kwargs.get("page") or 1
        if str(page).isdigit() and int(page) > MAX_PAGES:
            raise Http404(_("That page is too far back. Try the archive by date."))
        return super().paginate_queryset(queryset, page_size)


class FrontPageView(PublishedArticlesMixin, ListView):
    """The lead story, the latest pieces and a block for each section."""

    template_name = "articles/front_page.html"
    paginate_by = 12
    per_section = 4
    # Section blocks are drawn from the newest pieces only, so the page costs
    # the same with ten articles or a hundred thousand.
    recent_window = 300

    def list_name(self):
        return cache.list_tag("front")

    def list_query(self):
        return listed.ListQuery("front")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        shown = self.show_page(context)
        if context["page_obj"].number == 1:
            context["lead"] = shown[0] if shown else None
            context["articles"] = shown[1:]
            blocks, html = self.section_blocks()
            context["section_blocks"] = blocks
            context["section_blocks_html"] = mark_safe(html)
            for _section, pieces in blocks:
                shown.extend(pieces)
        cache.mark_list_page(self.request, self.list_name(), shown)
        return context

    def section_blocks(self):
        return lists.front_section_blocks(
            per_section=self.per_section, recent_window=self.recent_window
        )


class SectionDetailView(PublishedArticlesMixin, ListView):
    template_name = "articles/section_detail.html"

    def get_queryset(self):
        self.section = get_object_or_404(Section, slug=self.kwargs["slug"])
        return super().get_queryset()

    def list_name(self):
        return cache.list_tag(section=self.section.pk)

    def list_query(self):
        return listed.ListQuery("section", self.section.pk)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(
            # The menu marks this section's link as the page the reader is on.
            section=self.section,
            current_section=self.section.slug,
            **kwargs,
        )
        self.show_page(context)
        cache.mark_list_page(
            self.request,
            self.list_name(),
            context["articles"],
            cache.section_tag(self.section.pk),
        )
        return context


class TagDetailView(PublishedArticlesMixin, ListView):
    template_name = "articles/tag_detail.html"
    # A tag used only on unpublished pieces would name an embargoed story.
    empty_list_is_404 = True

    def get_queryset(self):
        self.tag = get_object_or_404(Tag, slug=self.kwargs["slug"])
        self.busy = lists.busy(
            self.list_name(),
            ask=lambda: Article.objects.is_busy("tag", tag=self.tag),
        )
        return super().get_queryset()

    def list_name(self):
        return cache.list_tag(tag=self.tag.pk)

    def list_query(self):
        return listed.ListQuery("tag", self.tag.pk, self.busy)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(tag=self.tag, **kwargs)
        self.show_page(context)
        cache.mark_list_page(
            self.request,
            self.list_name(),
            context["articles"],
            cache.tag_tag(self.tag.pk),
        )
        return context


class AuthorDetailView(PublishedArticlesMixin, ListView):
    template_name = "articles/author_detail.html"

    def get_queryset(self):
        self.author = get_object_or_404(Author, slug=self.kwargs["slug"])
        self.busy = lists.busy(
            self.list_name(),
            ask=lambda: Article.objects.is_busy("author", author=self.author),
        )
        return super().get_queryset()

    def list_name(self):
        return cache.list_tag(author=self.author.pk)

    def list_query(self):
        return listed.ListQuery("author", self.author.pk, self.busy)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(
            author=self.author,
            jsonld=metadata.author_jsonld(self.author),
            **kwargs,
        )
        self.show_page(context)
        cache.mark_list_page(
            self.request,
            self.list_name(),
            context["articles"],
            cache.author_tag(self.author.pk),
        )
        return context


class ArchiveMixin(PublishedArticlesMixin):
    """The date archive, by the site's local dates of publication."""

    date_field = "publish_at"
    allow_future = False
    allow_empty = False
    make_object_list = True
    month_format = "%m"
    template_name = "articles/archive.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        self.show_page(context)
        cache.mark_list_page(
            self.request, cache.list_tag("archive"), context["articles"]
        )
        return context


class YearArchive(ArchiveMixin, YearArchiveView):
    pass


class MonthArchive(ArchiveMixin, MonthArchiveView):
    pass


class DayArchive(ArchiveMixin, DayArchiveView):
    pass


class SearchView(TemplateView):
    template_name = "articles/search.html"

    def get_context_data(self, **kwargs):
        query = parse_query(self.request.GET.get("q"))
        context = super().get_context_data(query=query, **kwargs)
        if query.problem or not query.terms:
            return context
        paginator = BoundedPaginator(search_articles(query), PAGE_SIZE)
        number = self.request.GET.get("page") or 1
        try:
            if int(number) > MAX_PAGES:
                raise Http404(_("That page is too far back."))
            page_obj = paginator.page(number)
        except (ValueError, InvalidPage):
            raise Http404(_("There is no such page of results.")) from None
        articles = list(page_obj)
        for article in articles:
            snippet = getattr(article, "snippet", None)
            if snippet is None:
                snippet = fallback_snippet(article, query.terms)
            article.highlighted = highlight(snippet)
        context.update(
            articles=articles,
            page_obj=page_obj,
            paginator=paginator,
            is_paginated=paginator.num_pages > 1,
        )
        return context
