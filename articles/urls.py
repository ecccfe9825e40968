from django.urls import path

from . import corrections, feeds, previews, views

app_name = "articles"

urlpatterns = [
    path("", views.FrontPageView.as_view(), name="front-page"),
    path(
        "news/<int:year>/<int:month>/<int:day>/<slug:slug>/",
        views.ArticleDetailView.as_view(),
        name="article-detail",
    ),
    path(
        "section/<slug:slug>/", views.SectionDetailView.as_view(), name="section-detail"
    ),
    path("tag/<slug:slug>/", views.TagDetailView.as_view(), name="tag-detail"),
    path("author/<slug:slug>/", views.AuthorDetailView.as_view(), name="author-detail"),
    path("search/", views.SearchView.as_view(), name="search"),
    path("archive/<int:year>/", views.YearArchive.as_view(), name="archive-year"),
    path(
        "archive/<int:year>/<int:month>/",
        views.MonthArchive.as_view(),
        name="archive-month",
    ),
    path(
        "archive/<int:year>/<int:month>/<int:day>/",
        views.DayArchive.as_view(),
        name="archive-day",
    ),
    path("feeds/rss/", feeds.LatestArticlesFeed(), name="feed-rss"),
    path("feeds/atom/", feeds.LatestArticlesAtomFeed(), name="feed-atom"),
    path("section/<slug:slug>/rss/", feeds.SectionFeed(), name="section-feed-rss"),
    path(
        "section/<slug:slug>/atom/", feeds.SectionAtomFeed(), name="section-feed-atom"
    ),
    path("tag/<slug:slug>/rss/", feeds.TagFeed(), name="tag-feed-rss"),
    path("tag/<slug:slug>/atom/", feeds.TagAtomFeed(), name="tag-feed-atom"),
    path("author/<slug:slug>/rss/", feeds.AuthorFeed(), name="author-feed-rss"),
    path("author/<slug:slug>/atom/", feeds.AuthorAtomFeed(), name="author-feed-atom"),
    # Previews and corrections (issue 5).
    path("preview/<str:token>/", previews.preview, name="preview"),
    path("corrections/", corrections.CorrectionListView.as_view(), name="corrections"),
    path(
        "feeds/corrections/rss/",
        feeds.CorrectionsFeed(),
        name="corrections-feed-rss",
    ),
    path(
        "feeds/corrections/atom/",
        feeds.CorrectionsAtomFeed(),
        name="corrections-feed-atom",
    ),
]
