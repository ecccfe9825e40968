from ckeditor_uploader import views as ckeditor_views
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth.decorators import permission_required
from django.urls import include, path, re_path
from django.views.decorators.cache import never_cache
from django.views.static import serve

from articles import sitemaps
from articles.cache import list_view
from articles.views.uploads import editor_upload
from caching.pages import public_page
from core import health
from core.forms import AdminLoginForm

admin.site.site_header = settings.NEWSROOM_SITE_NAME
admin.site.site_title = settings.NEWSROOM_SITE_NAME
# Username, password and, for staff who set it up, an authenticator code.
admin.site.login_form = AdminLoginForm


def sitemap_page(view):
    return public_page(list_view(view, "sitemaps", menu=False))


urlpatterns = [
    # For load balancers and on-call people; answered ahead of every other
    # middleware by newsroom.middleware.HealthCheckMiddleware (core/health.py).
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    # CKEditor's uploads go through our own view, which checks images by
    # content; its browser of past uploads is django-ckeditor's, staff only.
    path("admin/editor/upload/", editor_upload, name="ckeditor_upload"),
    # The uploads include images of pieces not yet out: for those who write
    # and edit articles, not for every member of staff.
    path(
        "admin/editor/browse/",
        never_cache(
            staff_member_required(
                permission_required("articles.change_article", raise_exception=True)(
                    ckeditor_views.browse
                )
            )
        ),
        name="ckeditor_browse",
    ),
    path("admin/", include("core.urls")),
    path("admin/", admin.site.urls),
    path("comments/", include("comments.urls")),
    path("api/", include("api.urls")),
    path("", include("articles.urls")),
    path("sitemap.xml", sitemap_page(sitemaps.sitemap_index), name="sitemap-index"),
    path(
        "sitemap-<slug:section>.xml",
        sitemap_page(sitemaps.sitemap_section),
        name="sitemap-section",
    ),
    path("news-sitemap.xml", sitemap_page(sitemaps.news_sitemap), name="news-sitemap"),
    path("robots.txt", sitemaps.robots_txt, name="robots-txt"),
]

if settings.SERVE_MEDIA:
    urlpatterns += [
        re_path(
            r"^{}(?P<path>.*)$".format(settings.MEDIA_URL.lstrip("/")),
            serve,
            {"document_root": settings.MEDIA_ROOT},
        ),
    ]
