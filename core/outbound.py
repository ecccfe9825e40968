"""
Requests the server makes to an address someone else wrote (SSRF): a webhook
subscription an admin typed (``api.webhooks``) and the attachments a
WordPress export names (``core.importers.wordpress.media``). The server that
follows them sits inside our network, so every address the host name
resolves to must be a public one (``ipaddress``'s ``is_global``: not private,
loopback, link-local, shared, reserved or multicast), and the connection goes
to an address that was checked, not to the name resolved a second time (DNS
rebinding). Each caller has a setting that lifts the rule, for tests and
labs (``WEBHOOKS_ALLOW_PRIVATE``, ``IMPORT_MEDIA_ALLOW_PRIVATE``).
"""

import http.client
import ipaddress
import socket
import ssl
from urllib.parse import urlsplit


class RefusedTarget(ValueError):
    """An address we will not connect to; the message says why."""


def _refused(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not ip.is_global or ip.is_multicast


def public_addresses(url: str, *, allow_private: bool) -> list[str]:
    """The addresses to connect to for ``url``, all of them public; or
    ``RefusedTarget`` with a reason a person can act on. None are returned
    when ``allow_private`` lifts the rule (connect by name)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise RefusedTarget(f"only http(s) addresses are reached, not {url!r}")
    if allow_private:
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
                "reserved address; only the public internet is reached"
            )
    return addresses


class _Pinned:
    """Connect to the checked ``address``; TLS still checks the host name."""

    address: str | None = None

    def connect(self):
        if self.address is None:
            return super().connect()
        self.sock = socket.create_connection((self.address, self.port), self.timeout)
        if isinstance(self, http.client.HTTPSConnection):
            self.sock = self._context.wrap_socket(self.sock, server_hostname=self.host)


class _PinnedHTTP(_Pinned, http.client.HTTPConnection):
    pass


class _PinnedHTTPS(_Pinned, http.client.HTTPSConnection):
    pass


def pinned_connection(url: str, addresses: list[str], *, timeout: float):
    """``(connection, path)`` for ``url``, connecting to the first of the
    checked ``addresses`` (by name when there are none). Redirects are the
    caller's: each new address must be checked again."""
    parts = urlsplit(url)
    # The port always given: http.client would read "::1" as host ":" port 1.
    if parts.scheme == "https":
        made = _PinnedHTTPS(
            parts.hostname,
            parts.port or 443,
            timeout=timeout,
            context=ssl.create_default_context(),
        )
    else:
        made = _PinnedHTTP(parts.hostname, parts.port or 80, timeout=timeout)
    made.address = addresses[0] if addresses else None
    path = parts.path or "/"
    return made, path + (f"?{parts.query}" if parts.query else "")
