import functools

from django.conf import settings
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.functional import SimpleLazyObject

from articles.cache import nav_sections

# Names base.html reads on every page that most views never set (the section
# the menu marks as current, the search box's text). Given here, each is one
# lookup; missing, each cost the template engine three exceptions and a log
# record (about 0.2 ms an article page, measured with cProfile).
PAGE_DEFAULTS = {"current_section": None, "query": {"text": ""}}
# The addresses base.html links on every page, by the names it uses.
SITE_URLS = {
    "front": "articles:front-page",
    "search": "articles:search",
    "corrections": "articles:corrections",
    "rss": "articles:feed-rss",
    "atom": "articles:feed-atom",
}


def site(request):
    """The publication's name and address, its sections for the menu and the
    addresses every page links.

    The sections are read only when a template shows the menu.
    """
    return {
        **PAGE_DEFAULTS,
        "site_name": settings.NEWSROOM_SITE_NAME,
        "site_url": settings.NEWSROOM_SITE_URL,
        "nav_sections": SimpleLazyObject(nav_sections),
        "site_urls": site_urls(get_urlconf(), get_script_prefix()),
    }


@functools.lru_cache(maxsize=16)
def site_urls(urlconf: str | None, script_prefix: str) -> dict[str, str]:
    """``SITE_URLS`` reversed, once per URLconf and script prefix (all an
    address depends on): six reversals a page were about 0.15 ms. A name the
    URLconf lacks is an empty address, as ``{% url … as %}`` gave."""
    urls = {}
    for key, name in SITE_URLS.items():
        try:
            urls[key] = reverse(name, urlconf=urlconf)
        except NoReverseMatch:
            urls[key] = ""
    return urls
