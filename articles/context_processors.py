from django.conf import settings
from django.utils.functional import SimpleLazyObject

from articles.cache import nav_sections

# Names base.html reads on every page that most views never set (the section
# the menu marks as current, the search box's text). Given here, each is one
# lookup; missing, each cost the template engine three exceptions and a log
# record (about 0.2 ms an article page, measured with cProfile).
PAGE_DEFAULTS = {"current_section": None, "query": {"text": ""}}


def site(request):
    """The publication's name and address, and its sections for the menu.

    The sections are read only when a template shows the menu.
    """
    return {
        **PAGE_DEFAULTS,
        "site_name": settings.NEWSROOM_SITE_NAME,
        "site_url": settings.NEWSROOM_SITE_URL,
        "nav_sections": SimpleLazyObject(nav_sections),
    }
