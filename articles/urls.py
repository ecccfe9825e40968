from django.urls import path

from . import views

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
]
