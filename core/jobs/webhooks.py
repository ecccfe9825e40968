"""
Deliver one webhook: POST a JSON body to a URL, with a timeout.

Any answer but 2xx, a timeout or a refused connection raises, and the
worker tries again later with backoff (``core.jobs.retry``). Redirects are
not followed: a receiver that moved must be reconfigured, not guessed at.
Delivery is at least once; the ``X-Newsroom-Delivery`` header carries the
same id on every attempt, so a receiver can drop a repeat.
"""

import json
import urllib.error
import urllib.request

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder


class WebhookFailed(Exception):
    pass


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_opener = urllib.request.build_opener(_NoRedirects)


def deliver(url: str, payload, delivery_id: str) -> int:
    """POST ``payload`` to ``url``; the status code, or WebhookFailed."""
    if not url.startswith(("https://", "http://")):
        raise ValueError(f"A webhook goes to an http(s) URL, not {url!r}.")
    request = urllib.request.Request(
        url,
        data=json.dumps(payload, cls=DjangoJSONEncoder).encode(),
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": "newsroom-webhooks",
            "X-Newsroom-Delivery": delivery_id,
        },
    )
    try:
        with _opener.open(request, timeout=settings.NEWSROOM_WEBHOOK_TIMEOUT) as r:
            return r.status
    except urllib.error.HTTPError as exc:
        raise WebhookFailed(f"{url} answered {exc.code}") from exc
    except OSError as exc:
        raise WebhookFailed(f"{url} unreachable: {exc}") from exc
