"""Wagtail's admin and, for every other address, its page tree, as
``wagtail start`` lays them out (no documents or search views: nothing here
uses them)."""

from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls

urlpatterns = [
    path("admin/", include(wagtailadmin_urls)),
    path("", include(wagtail_urls)),
]
