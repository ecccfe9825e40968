"""
A minimal URLconf for the editor upload tests, independent of newsroom.urls.

The admin is included because ``staff_member_required`` sends anonymous
visitors to ``admin:login``.
"""

from django.contrib import admin
from django.urls import path

from articles.views.uploads import editor_upload

urlpatterns = [
    path("editor/upload/", editor_upload, name="editor_upload"),
    path("admin/", admin.site.urls),
]
