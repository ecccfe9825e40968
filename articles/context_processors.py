from django.conf import settings
from django.utils.functional import SimpleLazyObject

from articles.cache import nav_sections


def site(request):
    """The publication's name and address, and its sections for the menu.

    The sections are read only when a template shows the menu.
    """
    return {
        "site_name": settings.NEWSROOM_SITE_NAME,
        "site_url": settings.NEWSROOM_SITE_URL,
        "nav_sections": SimpleLazyObject(nav_sections),
    }
