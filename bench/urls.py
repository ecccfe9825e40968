"""The site's URLs and the framework floor the bench compares pages with."""

from django.urls import path

from newsroom.urls import urlpatterns as site_urlpatterns

from .views import minimal

urlpatterns = [path("bench/", minimal, name="bench-minimal"), *site_urlpatterns]
