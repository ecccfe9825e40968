"""The XSS payload corpus the security tests feed through every input.

Two sources, deduplicated, in a fixed order:

1. ``data/targeted_payloads.json``: our own payloads aimed at this stack (the
   escaping contexts our templates use, the nh3 allow-list of the article
   body, the JSON-LD block, the comment linkifier, CKEditor's textarea). They
   come first, so every test that only has room for part of the corpus still
   tries all of them.
2. brs-kb (MIT, pinned in requirements-dev.txt), a public corpus of several
   thousand payloads packaged on PyPI, read from the installed package so the
   repository does not carry a second copy. The pin is checked below: a new
   release can change the corpus, and the figures in docs/security/xss.md
   belong to this one.

A NUL character is taken out of a payload: Django's form fields refuse text
that contains one (``ProhibitNullCharactersValidator``) and PostgreSQL cannot
store it, so no real input path lets it through, and without it the rest of
the payload is still worth trying.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import NamedTuple

BRS_KB_VERSION = "4.0.2"
TARGETED = Path(__file__).with_name("data") / "targeted_payloads.json"
MIN_PAYLOADS = 1_000


@cache
def targeted_payloads() -> tuple[str, ...]:
    entries = json.loads(TARGETED.read_text(encoding="utf-8"))
    return tuple(entry["payload"] for entry in entries)


@cache
def brs_kb_payloads() -> tuple[str, ...]:
    from importlib.metadata import version

    import brs_kb

    installed = version("brs-kb")
    if installed != BRS_KB_VERSION:
        raise RuntimeError(
            f"brs-kb {installed} is installed; the corpus figures were taken with "
            f"{BRS_KB_VERSION} (requirements-dev.txt). Update both together."
        )
    entries = brs_kb.get_all_payloads()
    return tuple(entries[key]["payload"] for key in sorted(entries))


@cache
def payloads() -> tuple[str, ...]:
    """Every distinct payload, targeted ones first."""
    seen: dict[str, None] = {}
    for payload in (*targeted_payloads(), *brs_kb_payloads()):
        cleaned = payload.replace("\x00", "")
        if cleaned.strip():
            seen.setdefault(cleaned, None)
    return tuple(seen)


class Pack(NamedTuple):
    text: str
    count: int  # payloads in it, the last one perhaps cut


def pack(items: tuple[str, ...] | list[str], limit: int) -> list[Pack]:
    """Payloads joined by spaces into strings of at most ``limit`` characters.

    For single-line fields that one page shows once (a headline, a credit, a
    search query): escaping is per string, so a field holding several payloads
    tests each of them in that place. A payload longer than the field is cut
    to fit, as the field would keep no more of it.
    """
    packs: list[Pack] = []
    current: list[str] = []
    length = 0
    for item in items:
        item = item[:limit]
        if current and length + 1 + len(item) <= limit:
            current.append(item)
            length += 1 + len(item)
        else:
            if current:
                packs.append(Pack(" ".join(current), len(current)))
            current, length = [item], len(item)
    if current:
        packs.append(Pack(" ".join(current), len(current)))
    return packs


def batches(items: tuple[str, ...], size: int) -> list[tuple[str, ...]]:
    return [items[start : start + size] for start in range(0, len(items), size)]
