from django.urls import path

from . import views

app_name = "comments"

urlpatterns = [
    path("<int:article_id>/", views.discussion, name="discussion"),
    path("<int:article_id>/post/", views.post, name="post"),
    path("<int:article_id>/reader/", views.reader_state, name="reader-state"),
    path("reply/<int:comment_id>/", views.reply, name="reply"),
    path("report/<int:comment_id>/", views.report, name="report"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
