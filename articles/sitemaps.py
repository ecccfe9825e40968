"""Sitemaps for search engines, the Google News sitemap and robots.txt.

``sitemap.xml`` is an index of one sitemap per kind of page (pages, sections,
articles), each paged by Django's sitemap paging, so it scales past the 50,000
URLs a single sitemap may hold. Every URL carries the canonical origin
(``settings.NEWSROOM_SITE_URL``), never the host the request came in on: a CDN
or a cache may ask under another name. The project does not use
``django.contrib.sites``.
"""

from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps import views as sitemap_views
from django.db.models import Max, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import cache_control

from .models import Article, Section

MAX_AGE = 300  # seconds; full HTTP caching comes with the caching issue
NEWS_WINDOW = timedelta(hours=48)

public_cache = cache_control(public=True, max_age=MAX_AGE)


def _last_change(articles):
    """When the newest of these articles last changed: updated, else published."""
    return articles.aggregate(latest=Max(Coalesce("updated_at", "publish_at")))[
        "latest"
    ]


class CanonicalSitemap(Sitemap):
    """Absolute URLs on the configured origin, whatever the request's host."""

    def get_protocol(self, protocol=None):
        return urlsplit(settings.NEWSROOM_SITE_URL).scheme

    def get_domain(self, site=None):
        # Host and any path prefix: "https://example.com/news" -> "example.com/news".
        return settings.NEWSROOM_SITE_URL.split("://", 1)[1]


class PageSitemap(CanonicalSitemap):
    def items(self):
        return ["articles:front-page"]

    def location(self, name):
        return reverse(name)

    def lastmod(self, name):
        return _last_change(Article.objects.published())


class SectionSitemap(CanonicalSitemap):
    def items(self):
        latest = (
            Article.objects.published()
            .filter(section=OuterRef("pk"))
            .annotate(changed=Coalesce("updated_at", "publish_at"))
            .order_by("-changed")
            .values("changed")[:1]
        )
        return Section.objects.annotate(last_change=Subquery(latest)).order_by(
            "position", "name"
        )

    def lastmod(self, section):
        return section.last_change

    def get_latest_lastmod(self):
        # Django's default calls lastmod() for every item.
        return _last_change(Article.objects.published())


class ArticleSitemap(CanonicalSitemap):
    # Smaller than the protocol's 50,000 so that one page stays cheap to build.
    limit = 5000

    def items(self):
        # Oldest first: a new article only changes the last page, so the other
        # pages stay the same in caches.
        return (
            Article.objects.published()
            .only("slug", "publish_at", "created_at", "updated_at")
            .order_by("publish_at", "pk")
        )

    def lastmod(self, article):
        return article.updated_at or article.publish_at

    def get_latest_lastmod(self):
        return _last_change(Article.objects.published())


class NewsSitemap(CanonicalSitemap):
    """Google News: articles published in the last 48 hours, at most 1,000."""

    limit = 1000

    def items(self):
        since = timezone.now() - NEWS_WINDOW
        return (
            Article.objects.published()
            .filter(publish_at__gte=since)
            .only("headline", "slug", "publish_at", "created_at")
            .order_by("-publish_at", "-pk")[: self.limit]
        )


SITEMAPS = {
    "pages": PageSitemap,
    "sections": SectionSitemap,
    "articles": ArticleSitemap,
}

# Google News wants an ISO 639 code, except for Chinese, where it names the script.
_NEWS_CHINESE = {
    "zh-cn": "zh-cn",
    "zh-hans": "zh-cn",
    "zh-tw": "zh-tw",
    "zh-hant": "zh-tw",
}


def news_language(language_code: str) -> str:
    code = language_code.lower().replace("_", "-")
    return _NEWS_CHINESE.get(code, code.split("-")[0])


@public_cache
def sitemap_index(request):
    """One entry per page of each sitemap, on the canonical origin.

    Django's own index view takes the origin from the request, so it is not used.
    """
    entries = []
    for section, sitemap_class in SITEMAPS.items():
        sitemap = sitemap_class()
        location = settings.NEWSROOM_SITE_URL + reverse(
            "sitemap-section", kwargs={"section": section}
        )
        lastmod = sitemap.get_latest_lastmod()
        entries.append({"location": location, "last_mod": lastmod})
        for page in range(2, sitemap.paginator.num_pages + 1):
            entries.append({"location": f"{location}?p={page}", "last_mod": lastmod})
    response = TemplateResponse(
        request,
        "sitemap_index.xml",
        {"sitemaps": entries},
        content_type="application/xml",
    )
    response.headers["X-Robots-Tag"] = "noindex, noodp, noarchive"
    return response


@public_cache
def sitemap_section(request, section):
    return sitemap_views.sitemap(
        request, SITEMAPS, section=section, template_name="sitemaps/sitemap.xml"
    )


@public_cache
def news_sitemap(request):
    response = sitemap_views.sitemap(
        request, {"news": NewsSitemap}, template_name="sitemaps/news_sitemap.xml"
    )
    response.context_data["publication"] = {
        "name": settings.NEWSROOM_SITE_NAME,
        "language": news_language(settings.LANGUAGE_CODE),
    }
    return response


@public_cache
def robots_txt(request):
    return TemplateResponse(
        request,
        "robots.txt",
        {
            "sitemaps": [
                settings.NEWSROOM_SITE_URL + reverse("sitemap-index"),
                settings.NEWSROOM_SITE_URL + reverse("news-sitemap"),
            ]
        },
        content_type="text/plain; charset=utf-8",
    )
