"""
Anchors on the body's ``<h2>`` headings and a table of contents built from them.

Done when the page is rendered, from the sanitised body: the stored body stays
exactly what the editor wrote (the sanitiser keeps no ``id`` attributes), and
the sanitiser's output is regular enough for a pattern: ``<h2>`` never carries
attributes after it.
"""

import html
import re
from dataclasses import dataclass

from django.utils.html import strip_tags
from django.utils.text import slugify

H2 = re.compile(r"<h2>(.*?)</h2>", re.DOTALL)
MIN_HEADINGS = 3


@dataclass(frozen=True)
class Heading:
    anchor: str
    text: str


def add_heading_anchors(body: str) -> tuple[str, list[Heading]]:
    """Give each ``<h2>`` a unique id; return the body and its headings."""
    headings: list[Heading] = []
    used: set[str] = set()

    def anchor(match: re.Match[str]) -> str:
        text = html.unescape(strip_tags(match.group(1))).strip()
        base = slugify(text)[:60].strip("-") or f"section-{len(headings) + 1}"
        candidate, number = base, 2
        while candidate in used:
            candidate, number = f"{base}-{number}", number + 1
        used.add(candidate)
        headings.append(Heading(candidate, text))
        return f'<h2 id="{candidate}">{match.group(1)}</h2>'

    return H2.sub(anchor, body), headings
