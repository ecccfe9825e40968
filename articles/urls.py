from django.urls import path

from caching.pages import public_page

from . import feeds, views
from .cache import list_view

app_name = "articles"


def feed(view):
    # Feeds and sitemaps show headlines, bylines, tags and sections of many
    # pieces; any change to a published piece renews them.
    return public_page(list_view(view, "feeds"))


# Public pages are cached whole for anonymous readers (caching.pages).
urlpatterns = [
    path("", public_page(views.FrontPageView.as_view()), name="front-page"),
    path(
        "news/<int:year>/<int:month>/<int:day>/<slug:slug>/",
        public_page(views.ArticleDetailView.as_view()),
        name="article-detail",
    ),
    path(
        "section/<slug:slug>/",
        public_page(views.SectionDetailView.as_view()),
        name="section-detail",
    ),
    path(
        "tag/<slug:slug>/",
        public_page(views.TagDetailView.as_view()),
        name="tag-detail",
    ),
    path(
        "author/<slug:slug>/",
        public_page(views.AuthorDetailView.as_view()),
        name="author-detail",
    ),
    path("search/", views.SearchView.as_view(), name="search"),
    path(
        "archive/<int:year>/",
        public_page(views.YearArchive.as_view()),
        name="archive-year",
    ),
    path(
        "archive/<int:year>/<int:month>/",
        public_page(views.MonthArchive.as_view()),
        name="archive-month",
    ),
    path(
        "archive/<int:year>/<int:month>/<int:day>/",
        public_page(views.DayArchive.as_view()),
        name="archive-day",
    ),
    path("feeds/rss/", feed(feeds.LatestArticlesFeed()), name="feed-rss"),
    path("feeds/atom/", feed(feeds.LatestArticlesAtomFeed()), name="feed-atom"),
    path(
        "section/<slug:slug>/rss/", feed(feeds.SectionFeed()), name="section-feed-rss"
    ),
    path(
        "section/<slug:slug>/atom/",
        feed(feeds.SectionAtomFeed()),
        name="section-feed-atom",
    ),
    path("tag/<slug:slug>/rss/", feed(feeds.TagFeed()), name="tag-feed-rss"),
    path("tag/<slug:slug>/atom/", feed(feeds.TagAtomFeed()), name="tag-feed-atom"),
    path("author/<slug:slug>/rss/", feed(feeds.AuthorFeed()), name="author-feed-rss"),
    path(
        "author/<slug:slug>/atom/",
        feed(feeds.AuthorAtomFeed()),
        name="author-feed-atom",
    ),
    # Previews are personal and never cached (see articles.views.previews).
    path("preview/<str:token>/", views.preview, name="preview"),
    path(
        "corrections/",
        public_page(list_view(views.CorrectionListView.as_view(), "corrections")),
        name="corrections",
    ),
    path(
        "feeds/corrections/rss/",
        public_page(list_view(feeds.CorrectionsFeed(), "corrections", menu=False)),
        name="corrections-feed-rss",
    ),
    path(
        "feeds/corrections/atom/",
        public_page(list_view(feeds.CorrectionsAtomFeed(), "corrections", menu=False)),
        name="corrections-feed-atom",
    ),
]
