"""
Which addresses a webhook may be sent to: a subscription is a URL an admin
typed, and the server that follows it sits inside our network. Every address
the host name resolves to must be a public one (``ipaddress``'s
``is_global``: not private, loopback, link-local, shared, reserved or
multicast), checked when the subscription is saved and again before every
attempt, since a name can be pointed elsewhere later.
``WEBHOOKS_ALLOW_PRIVATE`` lifts the rule, for tests and labs.
"""

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings


class RefusedTarget(ValueError):
    pass


def _refused(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not ip.is_global or ip.is_multicast


def target_check(url: str) -> list[str]:
    """Raise ``RefusedTarget`` (with a reason an admin can act on) for a URL
    a webhook must not go to; else the addresses checked, for the caller to
    connect to (so a name cannot resolve to another address in between), or
    none when the rule is lifted."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise RefusedTarget(f"A webhook goes to an http(s) URL, not {url!r}.")
    if settings.WEBHOOKS_ALLOW_PRIVATE:
        return []
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        found = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except (OSError, ValueError) as exc:
        raise RefusedTarget(f"{parts.hostname} cannot be resolved: {exc}") from exc
    addresses = [sockaddr[0] for *_, sockaddr in found]
    for address in addresses:
        if _refused(address):
            raise RefusedTarget(
                f"{parts.hostname} resolves to {address}, a private or "
                "reserved address; webhooks go to the public internet only."
            )
    return addresses
