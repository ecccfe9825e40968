"""
What the database knows about a commenter when they post, in one query.

Three rules ask the database about the person posting: their recent comments
under this article (``duplicate``), the bans that may cover them (``ban``)
and how many of their comments were approved (``first-time``). Asked one by
one through the ORM that was three queries, and building them cost more than
running them; here they are one ``UNION ALL`` of plain SQL, read the first
time a rule asks and kept on the submission for the others. Bans that may
apply come back as (id, kind, value); only those that really cover the reader
(a network is checked in Python, as ``Ban.objects.matching`` does) are
fetched as rows, which happens only when a banned reader posts.

``tests/comments/test_rules.py`` runs each rule against rows made with the
ORM, and compares the bans found here with ``Ban.objects.matching``.
"""

import ipaddress
from dataclasses import dataclass
from datetime import timedelta

from django.db import connection
from django.utils import timezone

from .models import Ban, Comment, email_digest

DUPLICATE, BAN, APPROVED = 1, 2, 3


@dataclass(frozen=True)
class History:
    recent_bodies: tuple[str, ...]  # under this article, within the window
    ban_ids: tuple[int, ...]  # active bans covering the email or address
    approved: int  # approved comments from the email, counted up to ``needed``

    def bans(self) -> list[Ban]:
        """The bans as rows, newest first (``Ban.Meta.ordering``)."""
        return list(Ban.objects.filter(pk__in=self.ban_ids)) if self.ban_ids else []


def commenter_history(
    *,
    article_id: int,
    email: str,
    ip: str | None,
    duplicate_hours: int,
    needed: int,
) -> History:
    """One query for the three rules; a part a setting turns off is not asked."""
    quote = connection.ops.quote_name
    comments, bans = quote(Comment._meta.db_table), quote(Ban._meta.db_table)
    now = timezone.now()
    parts, params = [], []
    if duplicate_hours:
        parts.append(
            f"SELECT {DUPLICATE}, NULL, body, NULL FROM {comments} "
            "WHERE article_id = %s AND author_email = %s AND created_at >= %s"
        )
        since = now - timedelta(hours=duplicate_hours)
        params += [article_id, email, connection.ops.adapt_datetimefield_value(since)]
    covers, cover_params = [], []
    if email:
        covers.append(f"(kind = '{Ban.Kind.EMAIL}' AND value IN (%s, %s))")
        cover_params += [email, email_digest(email)]
    if ip:
        covers.append(
            f"(kind = '{Ban.Kind.IP}' AND value = %s) OR kind = '{Ban.Kind.NETWORK}'"
        )
        cover_params.append(ip)
    if covers:
        parts.append(
            f"SELECT {BAN}, id, kind, value FROM {bans} "
            "WHERE (expires_at IS NULL OR expires_at > %s) "
            f"AND ({' OR '.join(covers)})"
        )
        params += [connection.ops.adapt_datetimefield_value(now), *cover_params]
    if needed:
        parts.append(
            f"SELECT {APPROVED}, COUNT(*), NULL, NULL FROM (SELECT 1 FROM {comments} "
            f"WHERE author_email = %s AND status = '{Comment.Status.APPROVED}' "
            "LIMIT %s) approved"
        )
        params += [email, needed]
    bodies, ban_ids, approved = [], [], 0
    if parts:
        with connection.cursor() as cursor:
            cursor.execute(" UNION ALL ".join(parts), params)
            rows = cursor.fetchall()
        address = ipaddress.ip_address(ip) if ip else None
        for part, number, text, value in rows:
            if part == DUPLICATE:
                bodies.append(text)
            elif part == APPROVED:
                approved = number
            elif text != Ban.Kind.NETWORK or address in ipaddress.ip_network(
                value, strict=False
            ):
                ban_ids.append(number)
    return History(tuple(bodies), tuple(ban_ids), approved)
