"""
One attempt: POST the signed body, note the answer and the time taken. It
never raises: the attempt's outcome is data for the delivery log, and the
retry schedule is the webhook's own (``services``), not the generic job
retries. Redirects are not followed (a redirect could lead to an address the
check refused).
"""

import time
import urllib.error
import urllib.request
from dataclasses import dataclass

from django.conf import settings

from . import signing
from .addresses import RefusedTarget, target_check


@dataclass
class Outcome:
    response_code: int | None
    latency_ms: int
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.response_code is not None and 200 <= self.response_code < 300


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_opener = urllib.request.build_opener(_NoRedirects)


def post(*, url: str, secret: str, message_id: str, body: str) -> Outcome:
    started = time.monotonic()

    def done(code=None, error="") -> Outcome:
        ms = int((time.monotonic() - started) * 1000)
        return Outcome(code, ms, error[:300])

    try:
        target_check(url)
    except RefusedTarget as exc:
        return done(error=str(exc))
    timestamp = int(time.time())
    request = urllib.request.Request(
        url,
        data=body.encode(),
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": "newsroom-webhooks",
            "webhook-id": message_id,
            "webhook-timestamp": str(timestamp),
            "webhook-signature": signing.signature(
                secret, message_id=message_id, timestamp=timestamp, body=body
            ),
        },
    )
    try:
        with _opener.open(request, timeout=settings.NEWSROOM_WEBHOOK_TIMEOUT) as r:
            return done(r.status)
    except urllib.error.HTTPError as exc:
        return done(exc.code, f"answered {exc.code}")
    except OSError as exc:
        return done(error=f"unreachable: {exc}")
