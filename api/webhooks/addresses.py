"""
Which addresses a webhook may be sent to: a subscription is a URL an admin
typed, and the server that follows it sits inside our network. The rule is
``core.outbound``'s (every address the name resolves to is a public one),
checked when the subscription is saved and again before every attempt,
since a name can be pointed elsewhere later. ``WEBHOOKS_ALLOW_PRIVATE``
lifts it, for tests and labs.
"""

from django.conf import settings

from core.outbound import RefusedTarget, public_addresses

__all__ = ["RefusedTarget", "target_check"]


def target_check(url: str) -> list[str]:
    """Raise ``RefusedTarget`` (with a reason an admin can act on) for a URL
    a webhook must not go to; else the addresses checked, for the caller to
    connect to (so a name cannot resolve to another address in between), or
    none when the rule is lifted."""
    return public_addresses(url, allow_private=settings.WEBHOOKS_ALLOW_PRIVATE)
