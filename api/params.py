"""
The query parameters of the API, read strictly: an unknown parameter, field
or ordering, a date that is not a date or a cursor that was not ours is a
``Problem`` (400) that names it, never silently ignored. That strictness is
also what lets the page cache key on every parameter (``public_page(query=ANY)``):
only answers to valid requests are stored.
"""

import datetime as dt
import re

from django.core import signing
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from .errors import Problem

MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 20
CURSOR_SALT = "api.cursor.v1"


def refuse_unknown(query, known) -> None:
    for name in query:
        if name not in known:
            takes = (
                f"This endpoint takes: {', '.join(sorted(known))}."
                if known
                else "This endpoint takes no query parameters."
            )
            raise Problem(
                400,
                "unknown-parameter",
                f"Unknown query parameter {name!r}. {takes}",
                parameter=name,
            )


def page_size(query) -> int:
    raw = query.get("page_size")
    if raw is None:
        return DEFAULT_PAGE_SIZE
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_PAGE_SIZE:
        raise Problem(
            400,
            "bad-filter",
            f"page_size must be a whole number from 1 to {MAX_PAGE_SIZE}.",
            parameter="page_size",
        )
    return int(raw)


def moment(query, name: str) -> dt.datetime | None:
    """An ISO 8601 date-time, or a date (its midnight in the site's time zone)."""
    raw = query.get(name)
    if raw is None:
        return None
    # An unencoded "+01:00" arrives as " 01:00": take it back.
    raw = re.sub(r" (\d\d:?\d\d)$", r"+\1", raw)
    value = None
    try:
        value = parse_datetime(raw)
        if value is None and (day := parse_date(raw)) is not None:
            value = dt.datetime.combine(day, dt.time())
    except ValueError:
        value = None
    if value is None:
        raise Problem(
            400,
            "bad-filter",
            f"{name} must be an ISO 8601 date or date-time, "
            "e.g. 2025-11-25 or 2025-11-25T09:30:00Z.",
            parameter=name,
        )
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


def choice(query, name: str, choices, default: str) -> str:
    raw = query.get(name, default)
    if raw not in choices:
        raise Problem(
            400,
            "bad-filter",
            f"{name} must be one of: {', '.join(choices)}.",
            parameter=name,
        )
    return raw


def fields(query, known) -> list[str] | None:
    """The fields asked for with ``fields=a,b``, in that order; None for all."""
    raw = query.get("fields")
    if raw is None:
        return None
    names = [name.strip() for name in raw.split(",") if name.strip()]
    for name in names:
        if name not in known:
            raise Problem(
                400,
                "unknown-field",
                f"Unknown field {name!r}. Known fields: {', '.join(known)}.",
                parameter="fields",
            )
    if not names:
        raise Problem(
            400, "unknown-field", "fields names no field.", parameter="fields"
        )
    return names


# Cursors: where the last page ended, signed so that a client cannot forge a
# position, and bound to the ordering it was made for.


def make_cursor(ordering: str, position) -> str:
    return signing.dumps([ordering, position], salt=CURSOR_SALT, compress=True)


def read_cursor(query, ordering: str):
    raw = query.get("cursor")
    if raw is None:
        return None
    try:
        made_for, position = signing.loads(raw, salt=CURSOR_SALT)
    except (signing.BadSignature, ValueError, TypeError):
        raise Problem(
            400,
            "bad-cursor",
            "This cursor is not one this API gave out, or it was cut short; "
            "start again without cursor and follow the Link header.",
            parameter="cursor",
        ) from None
    if made_for != ordering:
        raise Problem(
            400,
            "bad-cursor",
            f"This cursor was made for ordering={made_for}; "
            "keep the ordering while paging.",
            parameter="cursor",
        )
    return position
