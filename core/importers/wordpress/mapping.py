"""
WordPress's words for a post's state, dates and terms, in ours.

- Status: ``publish`` is published at its original time, ``future``
  scheduled (or published, if that time has passed), ``draft`` a draft,
  ``pending`` in review; ``private``, ``trash`` and ``auto-draft`` are not
  imported (a private post was never meant for readers). A post with a
  password is never made public: it comes in as a draft and is listed.
  ``--status-map`` changes any of these.
- Dates: ``post_date_gmt`` is UTC. Drafts carry ``0000-00-00 00:00:00``
  there; then the local ``post_date`` is read in the site's time zone, then
  the feed's ``pubDate``, and a piece with none of them has no date.
- Terms: the section is the primary category Yoast SEO recorded
  (``_yoast_wpseo_primary_category``, a term id), else the first category;
  the other categories and every tag become tags.
"""

from __future__ import annotations

import html
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import unquote

from django.utils import timezone
from django.utils.text import slugify

from .parse import Item

PUBLISHED, SCHEDULED, DRAFT, REVIEW, SKIP = (
    "published",
    "scheduled",
    "draft",
    "review",
    "skip",
)
TARGETS = {PUBLISHED, SCHEDULED, DRAFT, REVIEW, SKIP}
DEFAULT_STATUS_MAP = {
    "publish": PUBLISHED,
    "future": SCHEDULED,
    "draft": DRAFT,
    "pending": REVIEW,
    "private": SKIP,
    "trash": SKIP,
    "auto-draft": SKIP,
    "inherit": SKIP,
}
TAG_MAX = 100


def parse_status_map(text: str) -> dict[str, str]:
    """``private=draft,pending=draft`` → a mapping, or ``ValueError``."""
    mapping = {}
    for pair in filter(None, (part.strip() for part in text.split(","))):
        source, _, target = pair.partition("=")
        source, target = source.strip(), target.strip()
        if not source or target not in TARGETS:
            raise ValueError(
                f"“{pair}”: write wordpress_status=ours, ours one of "
                + ", ".join(sorted(TARGETS))
            )
        mapping[source] = target
    return mapping


def target_status(item: Item, status_map: dict[str, str]) -> tuple[str, str]:
    """Our state for the post and, when it is not the obvious one, why."""
    status = item.get("status").strip() or "draft"
    target = status_map.get(status, DEFAULT_STATUS_MAP.get(status, SKIP))
    if target == SKIP:
        return SKIP, f"status “{status}” is not imported"
    if item.get("post_password").strip() and target in (PUBLISHED, SCHEDULED):
        return DRAFT, "password-protected: imported as a draft, never public"
    return target, ""


def post_date(item: Item) -> datetime | None:
    """When the piece went out, as an aware UTC time; None if it never had one."""
    gmt = wp_date(item.get("post_date_gmt"))
    if gmt is not None:
        return gmt.replace(tzinfo=UTC)
    local = wp_date(item.get("post_date"))
    if local is not None:
        return timezone.make_aware(local).astimezone(UTC)
    try:
        return parsedate_to_datetime(item.get("pubDate")).astimezone(UTC)
    except (TypeError, ValueError, IndexError):
        return None


def wp_date(text: str) -> datetime | None:
    text = text.strip()
    if not text or text.startswith("0000"):
        return None
    try:
        return datetime.strptime(text, "%Y-%m-%d %H:%M:%S")
    except ValueError:
        return None


def term_name(text: str) -> str:
    """WordPress stores names HTML-escaped; we store the characters."""
    return html.unescape(text).strip()


def categories_and_tags(
    item: Item, term_ids: dict[str, str]
) -> tuple[str | None, list[str]]:
    """The category nicename that gives the section, and the tag names.

    ``term_ids`` maps a category's term id to its nicename (from the
    channel), to read Yoast's primary category."""
    categories = [
        (nicename, term_name(name))
        for domain, nicename, name in item.terms
        if domain == "category" and nicename
    ]
    primary = term_ids.get(item.meta.get("_yoast_wpseo_primary_category", "").strip())
    if primary not in {nicename for nicename, _ in categories}:
        primary = categories[0][0] if categories else None
    tags = [name for nicename, name in categories if nicename != primary]
    tags += [term_name(name) for domain, _, name in item.terms if domain == "post_tag"]
    seen, unique = set(), []
    for tag in tags:
        tag = tag[:TAG_MAX].strip()
        if tag and tag.lower() not in seen:
            seen.add(tag.lower())
            unique.append(tag)
    return primary, unique


def byline_logins(item: Item) -> list[str]:
    """Co-Authors Plus bylines in order (its ``author`` taxonomy, ``cap-``
    prefixed), else the post's one ``dc:creator``."""
    logins = [
        nicename.removeprefix("cap-")
        for domain, nicename, _ in item.terms
        if domain == "author" and nicename
    ]
    if not logins and item.get("creator").strip():
        logins = [item.get("creator").strip()]
    seen, unique = set(), []
    for login in logins:
        if login.lower() not in seen:
            seen.add(login.lower())
            unique.append(login)
    return unique


def base_slug(item: Item) -> str:
    """The post's own slug if it has one (percent-encoded for non-ASCII in
    WordPress), else one from the title."""
    slug = slugify(unquote(item.get("post_name").strip()))[:180].strip("-")
    return slug or slugify(term_name(item.get("title")))[:180].strip("-") or "article"


def is_published_now(target: str, when: datetime | None) -> bool:
    return target == PUBLISHED or (
        target == SCHEDULED and when is not None and when <= timezone.now()
    )
