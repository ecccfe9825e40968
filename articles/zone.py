"""
The site's time zone, named wherever an editor sets or reads a time.

Editors in several places schedule pieces; a bare "14:00" leaves them to guess
whose 14:00 it is. Every date and time in the article admin and on the desk is
shown in ``settings.TIME_ZONE`` with the zone's name and its offset that day,
e.g. "Europe/London (BST, UTC+01:00)".
"""

from datetime import datetime

from django.conf import settings
from django.utils import formats, timezone


def label(moment: datetime | None = None) -> str:
    """The site's zone with its abbreviation and offset at ``moment`` (now)."""
    local = timezone.localtime(moment or timezone.now())
    offset = local.strftime("%z")
    return f"{settings.TIME_ZONE} ({local.tzname()}, UTC{offset[:3]}:{offset[3:]})"


def when(moment: datetime | None) -> str:
    """``moment`` in the site's locale format and zone, the zone named."""
    if moment is None:
        return "—"
    local = timezone.localtime(moment)
    shown = formats.date_format(local, "j M Y, H:i")
    return f"{shown} {label(moment)}"
