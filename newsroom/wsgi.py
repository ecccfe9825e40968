"""WSGI entry point: ``gunicorn newsroom.wsgi``."""

import os

from django.core.wsgi import get_wsgi_application

from caching.checks import refuse_to_start

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")

application = get_wsgi_application()
# A per-process cache with several workers serves stale pages: refuse to start.
refuse_to_start()
