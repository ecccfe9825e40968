"""
Readers write plain text. This turns it into safe HTML for the page.

Everything is escaped; blank lines make paragraphs and single line breaks
stay line breaks; web addresses become links marked ``rel="nofollow ugc"``
(user-generated, not endorsed), and only ``http``/``https`` ever becomes a
link. The same finder counts links for the moderation rule, so what the rule
counts is exactly what a reader would see linked.
"""

import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

URL_RE = re.compile(r"(?i)\b(?:https?://|www\.)[^\s<>\"]+")
_TRAILING = ".,;:!?'\u2019\u201d"
_PAIRS = {")": "(", "]": "["}


def _trim(url: str) -> str:
    """Leave sentence punctuation and unbalanced closing brackets outside."""
    while url:
        last = url[-1]
        if last in _TRAILING:
            url = url[:-1]
        elif last in _PAIRS and url.count(last) > url.count(_PAIRS[last]):
            url = url[:-1]
        else:
            break
    return url


def find_urls(text: str) -> list[str]:
    urls = []
    for match in URL_RE.finditer(text):
        url = _trim(match.group())
        if url.lower() not in {"http://", "https://", "www."}:
            urls.append(url)
    return urls


def count_links(text: str) -> int:
    return len(find_urls(text))


def _linkify(text: str) -> str:
    out, position = [], 0
    for match in URL_RE.finditer(text):
        url = _trim(match.group())
        if url.lower() in {"http://", "https://", "www."}:
            continue
        start = match.start()
        out.append(escape(text[position:start]))
        href = url if url.lower().startswith("http") else f"https://{url}"
        out.append(
            f'<a href="{escape(href)}" rel="nofollow ugc noopener">{escape(url)}</a>'
        )
        position = start + len(url)
    out.append(escape(text[position:]))
    return "".join(out)


def render_comment(text: str) -> SafeString:
    """The comment's HTML: escaped paragraphs with line breaks and links."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    paragraphs = [p.strip("\n") for p in re.split(r"\n\s*\n", text) if p.strip()]
    html = "\n\n".join(
        "<p>{}</p>".format(_linkify(p).replace("\n", "<br>")) for p in paragraphs
    )
    return mark_safe(html)


def normalise_for_comparison(text: str) -> str:
    """Two texts a reader would call the same compare equal."""
    return " ".join(text.split()).casefold()
