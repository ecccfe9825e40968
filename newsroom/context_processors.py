from django.conf import settings
from django.core.cache import cache
from django.utils.functional import SimpleLazyObject

NAV_KEY = "nav-sections:v1"


def _sections() -> list[dict]:
    """The sections menu, from the shared cache; Section.save() forgets it."""
    from articles.models import Section

    def load():
        return [
            {"name": s.name, "slug": s.slug, "get_absolute_url": s.get_absolute_url()}
            for s in Section.objects.only("name", "slug")
        ]

    try:
        return cache.get_or_set(NAV_KEY, load, timeout=None)
    except Exception:  # the menu never takes a page down with the cache
        return load()


def site(request):
    """The publication's name and address, and its sections for the menu.

    The sections are read only when a template shows the menu.
    """
    return {
        "site_name": settings.NEWSROOM_SITE_NAME,
        "site_url": settings.NEWSROOM_SITE_URL,
        "nav_sections": SimpleLazyObject(_sections),
    }
