"""
A WordPress post's content turned into a body our editor would have written.

In order: Gutenberg's block comments go (the HTML between them is already
paragraphs); shortcodes WordPress would have expanded become our markup
(``[caption]`` a figure; ``[embed]``, ``[youtube]``, ``[vimeo]`` and a bare
YouTube or Vimeo address on a line of its own the article's video, which the
page shows with its privacy-friendly player); classic content gets
WordPress's paragraph rule (a blank line starts a paragraph, a single line
break is a ``<br>``); and addresses of images the import stored are rewritten
to ours. Other shortcodes stay as text and are listed in the report.
``Article.save()`` then runs the result through the same nh3 allow-list as
every editor's body (``articles.sanitize``), which drops what we do not serve.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError

from articles.video import parse_video_url

BLOCK_COMMENT = re.compile(r"<!--\s*/?wp:[^>]*?-->\n?")
SHORTCODE = re.compile(
    r"\[(\[?)([A-Za-z][\w-]*)([^\]]*?)(/?)\](?:(.*?)\[/\2\])?(\]?)", re.S
)
ATTRIBUTE = re.compile(r'([\w-]+)\s*=\s*(?:"([^"]*)"|\'([^\']*)\'|(\S+))')
VIDEO_LINE = re.compile(
    r"^[ \t]*(https?://(?:www\.|m\.)?(?:youtube\.com|youtu\.be|vimeo\.com)/\S+)[ \t]*$",
    re.M,
)
VIDEO_SHORTCODES = {"embed", "youtube", "vimeo"}
BLOCK_TAGS = (
    "address|article|aside|blockquote|caption|dd|div|dl|dt|figcaption|figure|"
    "footer|form|h[1-6]|header|hr|li|math|nav|ol|p|pre|section|table|tbody|td|"
    "tfoot|th|thead|tr|ul"
)
STARTS_BLOCK = re.compile(rf"^\s*</?(?:{BLOCK_TAGS})\b", re.I)
ENDS_BLOCK = re.compile(rf"</?(?:{BLOCK_TAGS})\b[^>]*>\s*$", re.I)
PRE = re.compile(r"<pre\b.*?</pre>", re.S | re.I)
URL_ATTRIBUTE = re.compile(r'(\s(?:src|href)\s*=\s*)(["\'])([^"\']+)\2', re.I)
SIZE_SUFFIX = re.compile(r"-(?:\d+x\d+|scaled)(?=\.[A-Za-z0-9]+$)")
UPLOADS = "/wp-content/uploads/"
MARK = re.compile("\x01([^\x01]*)\x01")


@dataclass
class Body:
    html: str
    video_url: str = ""
    other_videos: list[str] = field(default_factory=list)
    unknown_shortcodes: list[str] = field(default_factory=list)


def url_key(url: str) -> str:
    """An uploaded file's address without host, scheme or size suffix, so
    ``https://a.example/wp-content/uploads/2020/01/cat-300x200.jpg`` and
    ``http://b.example/2020/01/cat.jpg`` (WordPress.com) name one file."""
    path = urlsplit(url.strip()).path
    if UPLOADS in path:
        path = path.split(UPLOADS, 1)[1]
    return SIZE_SUFFIX.sub("", path.lstrip("/"))


def convert(
    content: str, *, media_url: Callable[[str], str | None] | None = None
) -> Body:
    """The body, the first video and what the report should list."""
    text = content.replace("\x01", "").replace("\r\n", "\n").replace("\r", "\n")
    body = Body(html=text)
    is_blocks = "<!-- wp:" in body.html
    body.html = BLOCK_COMMENT.sub("", body.html)
    body.html = SHORTCODE.sub(lambda match: _shortcode(match, body), body.html)
    body.html = VIDEO_LINE.sub(lambda match: _mark(match.group(1)), body.html)
    # Videos are marked first and resolved in reading order: the first one
    # in the text is the article's, whichever form it was written in.
    body.html = MARK.sub(lambda match: _video(match.group(1), body), body.html)
    if not is_blocks:
        body.html = autop(body.html)
    if media_url is not None:
        body.html = rewrite_urls(body.html, media_url)
    return body


def _attributes(text: str) -> dict[str, str]:
    values = {}
    for match in ATTRIBUTE.finditer(text):
        values[match.group(1).lower()] = next(
            value for value in match.groups()[1:] if value is not None
        )
    return values


def _shortcode(match: re.Match, body: Body) -> str:
    opening, name, attrs, _, inner, closing = match.groups()
    if opening and closing:  # [[name]] is WordPress's escape for a literal
        return match.group(0)[1:-1]
    name_lower = name.lower()
    values = _attributes(attrs)
    if name_lower in ("caption", "wp_caption"):
        inner = inner or ""
        image = re.search(r"(?:<a\b[^>]*>\s*)?<img\b[^>]*>(?:\s*</a>)?", inner, re.I)
        caption = (
            values.get("caption") or (inner[image.end() :] if image else inner).strip()
        )
        picture = image.group(0) if image else ""
        return f"<figure>{picture}<figcaption>{caption}</figcaption></figure>"
    if name_lower in VIDEO_SHORTCODES:
        target = (inner or "").strip() or attrs.lstrip("= ").split(" ")[0].strip()
        target = html.unescape(target.strip("\"'"))
        if name_lower == "vimeo" and target.isdigit():
            target = f"https://vimeo.com/{target}"
        if name_lower == "youtube" and target and "/" not in target:
            target = f"https://www.youtube.com/watch?v={target}"
        return _mark(target)
    if name not in body.unknown_shortcodes:
        body.unknown_shortcodes.append(name)
    return match.group(0)


def _mark(url: str) -> str:
    return f"\x01{url.replace(chr(1), '')}\x01"


def _video(url: str, body: Body) -> str:
    """The first video is the article's; later ones stay as links."""
    try:
        parse_video_url(url)
    except ValidationError:
        return f'<p><a href="{html.escape(url)}">{html.escape(url)}</a></p>'
    if not body.video_url:
        body.video_url = url
        return ""
    body.other_videos.append(url)
    return f'<p><a href="{html.escape(url)}">{html.escape(url)}</a></p>'


def autop(text: str) -> str:
    """WordPress's paragraph rule for classic content, in short: blank lines
    separate paragraphs, a single line break inside one is a ``<br>``, and
    runs that already are block elements are left alone. ``<pre>`` keeps its
    line breaks."""
    kept: list[str] = []

    def hold(match: re.Match) -> str:
        kept.append(match.group(0))
        return f"\x00{len(kept) - 1}\x00"

    text = PRE.sub(hold, text)
    paragraphs = []
    for chunk in re.split(r"\n[ \t]*\n+", text.strip("\n")):
        if not chunk.strip():
            continue
        if STARTS_BLOCK.match(chunk) and ENDS_BLOCK.search(chunk):
            paragraphs.append(chunk)
            continue
        if re.fullmatch(r"\s*\x00\d+\x00\s*", chunk):
            paragraphs.append(chunk.strip())
            continue
        lines = chunk.split("\n")
        joined = lines[0]
        for line in lines[1:]:
            # No <br> next to a block tag: the tag already breaks the line.
            if ENDS_BLOCK.search(joined) or STARTS_BLOCK.match(line):
                joined += "\n" + line
            else:
                joined += "<br />\n" + line
        paragraphs.append(f"<p>{joined}</p>")
    result = "\n\n".join(paragraphs)
    return re.sub(r"\x00(\d+)\x00", lambda match: kept[int(match.group(1))], result)


def rewrite_urls(text: str, media_url: Callable[[str], str | None]) -> str:
    """Point ``src`` and ``href`` at our copy of every file the import stored."""

    def replace(match: re.Match) -> str:
        new = media_url(html.unescape(match.group(3)))
        if new is None:
            return match.group(0)
        return f"{match.group(1)}{match.group(2)}{new}{match.group(2)}"

    return URL_ATTRIBUTE.sub(replace, text)


def linked_files(text: str) -> set[str]:
    """Keys of every file ``src`` or ``href`` names (see ``url_key``)."""
    return {
        url_key(html.unescape(match.group(3)))
        for match in URL_ATTRIBUTE.finditer(text)
        if _looks_like_file(match.group(3))
    }


def _looks_like_file(url: str) -> bool:
    return bool(
        re.search(r"\.(?:jpe?g|png|gif|webp|avif|bmp|tiff?)(?:[?#]|$)", url, re.I)
    )
