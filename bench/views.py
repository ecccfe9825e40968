"""The framework floor: a view with the whole middleware stack and no database.

Routed only by the bench's own URLconf (bench/urls.py, bench/settings.py).
"""

from django.http import HttpResponse


def minimal(request):
    return HttpResponse(b"ok\n", content_type="text/plain")
