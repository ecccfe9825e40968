from django.conf import settings


def site(request):
    """The publication's name and address, for every template."""
    return {
        "site_name": settings.NEWSROOM_SITE_NAME,
        "site_url": settings.NEWSROOM_SITE_URL,
    }
