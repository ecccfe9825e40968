"""
One attempt: POST the signed body, note the answer and the time taken. It
never raises: the attempt's outcome is data for the delivery log, and the
retry schedule is the webhook's own (``services``), not the generic job
retries. Redirects are not followed (a redirect could lead to an address the
check refused), and the connection goes to an address the check passed, not
to the name resolved a second time (DNS rebinding).
"""

import http.client
import time
from dataclasses import dataclass

from django.conf import settings

from core.outbound import pinned_connection

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


def _connection(url: str, addresses: list[str]):
    return pinned_connection(url, addresses, timeout=settings.NEWSROOM_WEBHOOK_TIMEOUT)


def post(*, url: str, secret: str, message_id: str, body: str) -> Outcome:
    started = time.monotonic()

    def done(code=None, error="") -> Outcome:
        ms = int((time.monotonic() - started) * 1000)
        return Outcome(code, ms, error[:300])

    try:
        addresses = target_check(url)
    except RefusedTarget as exc:
        return done(error=str(exc))
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "newsroom-webhooks",
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signing.signature(
            secret, message_id=message_id, timestamp=timestamp, body=body
        ),
    }
    connection, path = _connection(url, addresses)
    try:
        connection.request("POST", path, body=body.encode(), headers=headers)
        status = connection.getresponse().status
    except (OSError, http.client.HTTPException) as exc:
        return done(error=f"unreachable: {exc}")
    finally:
        connection.close()
    return done(status, "" if 200 <= status < 300 else f"answered {status}")
