"""
Public views, one module per kind of page: ``lists`` (front page, sections,
tags, authors, archive, search), ``pages`` (the article page), ``corrections``,
``previews`` and ``uploads`` (CKEditor's image uploads, routed in
``newsroom.urls``). What they show comes from ``articles.selectors``.
"""

from .corrections import CorrectionListView
from .lists import (
    MAX_PAGES,
    PAGE_SIZE,
    ArchiveMixin,
    AuthorDetailView,
    BoundedPaginator,
    DayArchive,
    FrontPageView,
    MonthArchive,
    PublishedArticlesMixin,
    SearchView,
    SectionDetailView,
    TagDetailView,
    YearArchive,
)
from .pages import ArticleDetailView
from .previews import preview

__all__ = [
    "MAX_PAGES",
    "PAGE_SIZE",
    "ArchiveMixin",
    "ArticleDetailView",
    "AuthorDetailView",
    "BoundedPaginator",
    "CorrectionListView",
    "DayArchive",
    "FrontPageView",
    "MonthArchive",
    "PublishedArticlesMixin",
    "SearchView",
    "SectionDetailView",
    "TagDetailView",
    "YearArchive",
    "preview",
]
