"""
Who is posting or reporting, without accounts.

A reader is a random id in a signed cookie, with the ids of the comments
posted from that browser (so they see their own held comments) and nothing
else. The cookie is signed, so a reader cannot claim another's comments or
id; the database only ever sees a digest of the id. The article page never
reads it: only the comments app's uncached endpoints do.
"""

import hashlib
import ipaddress
import secrets
from dataclasses import dataclass, field

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.utils.crypto import salted_hmac

COOKIE_NAME = "newsroom_reader"
# Not signed and not secret: tells the page's script that this browser has
# posted comments, so only those readers ask for their held ones.
HINT_COOKIE_NAME = "newsroom_commented"
SALT = "comments.reader"
MAX_REMEMBERED = 50


@dataclass
class Reader:
    id: str = field(default_factory=lambda: secrets.token_urlsafe(18))
    posted: list[int] = field(default_factory=list)
    is_new: bool = True

    @property
    def key(self) -> str:
        """What the database stores about this reader: a keyed digest of the id."""
        return salted_hmac(SALT, self.id, algorithm="sha256").hexdigest()

    def remember(self, comment_id: int) -> None:
        self.posted = [*self.posted, comment_id][-MAX_REMEMBERED:]


def reader_from_request(request: HttpRequest) -> Reader:
    try:
        value = signing.loads(
            request.COOKIES[COOKIE_NAME], salt=SALT, max_age=_max_age()
        )
        posted = [int(pk) for pk in value.get("posted", [])][-MAX_REMEMBERED:]
        return Reader(id=str(value["id"]), posted=posted, is_new=False)
    except (KeyError, TypeError, ValueError, AttributeError, signing.BadSignature):
        return Reader()


def reader_set_cookie(response: HttpResponse, reader: Reader) -> None:
    secure = settings.SESSION_COOKIE_SECURE
    response.set_cookie(
        COOKIE_NAME,
        signing.dumps({"id": reader.id, "posted": reader.posted}, salt=SALT),
        max_age=_max_age(),
        httponly=True,
        secure=secure,
        samesite="Lax",
    )
    if reader.posted:
        response.set_cookie(
            HINT_COOKIE_NAME, "1", max_age=_max_age(), secure=secure, samesite="Lax"
        )


def _max_age() -> int:
    return settings.NEWSROOM_COMMENTS_COOKIE_DAYS * 24 * 60 * 60


def client_ip(request: HttpRequest) -> str | None:
    """The reader's address, trusting exactly as many proxies as configured.

    With ``NEWSROOM_COMMENTS_PROXY_COUNT`` proxies in front, each appends the
    address it saw to X-Forwarded-For, so the reader's is that many entries
    from the right; anything further left is whatever the client sent.
    """
    proxies = settings.NEWSROOM_COMMENTS_PROXY_COUNT
    candidate = request.META.get("REMOTE_ADDR", "")
    if proxies > 0:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= proxies:
            candidate = forwarded[-proxies]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return None


def address_block(ip: str) -> str:
    """What rate limits count as one address: an IPv6 host usually holds a
    whole /64 and can hop within it, so that is one reader there."""
    address = ipaddress.ip_address(ip)
    if address.version == 6:
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def ip_digest(ip: str | None) -> str:
    """A keyed digest of an IP address, for keys and reports that outlive a day."""
    if not ip:
        return ""
    return salted_hmac("comments.ip", ip, algorithm="sha256").hexdigest()


def short_digest(value: str) -> str:
    """A short unkeyed digest for cache keys (they expire within hours)."""
    return hashlib.sha256(value.strip().lower().encode()).hexdigest()[:32]
