"""The framework floor: a view with the whole middleware stack and no database.

Routed only when NEWSROOM_BENCH=1 (see newsroom/urls.py).
"""

from django.http import HttpResponse


def minimal(request):
    return HttpResponse(b"ok\n", content_type="text/plain")
