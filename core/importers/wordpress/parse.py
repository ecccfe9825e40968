"""
Reading a WordPress export (WXR 1.0 to 1.2) one item at a time.

WordPress's own importer loads the whole file into a DOM, so exports of a few
dozen megabytes run out of memory. Here the file is read twice, both times as
a stream: ``check_file`` runs expat over it to refuse a file that is not
well-formed or not WXR (with its line and column) before anything is written,
and counts the items for the progress bars; ``read_file`` then walks it with
``iterparse`` and drops every element once it has been turned into a plain
``Item``, so memory holds one item whatever the size of the file.

Namespaces are matched by what they are, not by their version: WXR 1.0 to 1.2
and WordPress.com exports use ``http(s)://wordpress.org/export/1.x/`` or a
``wordpress.com`` twin, and the excerpt namespace nests inside it.
"""

from __future__ import annotations

import functools
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from xml.parsers import expat

CHUNK = 64 * 1024


class WxrError(Exception):
    """A file we refuse as a whole: not well-formed, or not a WordPress export."""

    def __init__(self, path: Path | str, line: int, column: int, reason: str):
        self.path, self.line, self.column, self.reason = str(path), line, column, reason
        super().__init__(f"{path}:{line}:{column}: {reason}")


@dataclass
class Channel:
    title: str = ""
    link: str = ""
    base_site_url: str = ""
    base_blog_url: str = ""
    version: str = ""

    @property
    def source(self) -> str:
        """The site the ids belong to: its address without a trailing slash."""
        return (self.base_blog_url or self.link or self.base_site_url).rstrip("/")


@dataclass
class Author:
    login: str
    email: str = ""
    display_name: str = ""
    first_name: str = ""
    last_name: str = ""


@dataclass
class Item:
    """One ``<item>``: a post, page, attachment, menu item or guest author."""

    fields: dict[str, str] = field(default_factory=dict)
    # (domain, nicename, name) in the order of the file.
    terms: list[tuple[str, str, str]] = field(default_factory=list)
    meta: dict[str, str] = field(default_factory=dict)
    comments: list[dict[str, str]] = field(default_factory=list)

    def get(self, name: str, default: str = "") -> str:
        return self.fields.get(name, default)

    @property
    def post_id(self) -> str:
        return self.get("post_id").strip()

    @property
    def post_type(self) -> str:
        return self.get("post_type").strip() or "post"


@dataclass
class FileSummary:
    path: str
    items: int = 0
    version: str = ""


def _prefix(namespace: str) -> str:
    """A short, version-free name for a namespace URI."""
    if namespace.endswith("/excerpt/"):
        return "excerpt"
    if "wordpress.org/export/" in namespace or "wordpress.com/export/" in namespace:
        return "wp"
    if "purl.org/rss/1.0/modules/content" in namespace:
        return "content"
    if "purl.org/dc/elements/" in namespace:
        return "dc"
    return namespace


# An export has a few dozen tag names and hundreds of thousands of elements.
@functools.lru_cache(maxsize=1024)
def _name(tag: str) -> tuple[str, str]:
    """``(prefix, local name)`` of an ElementTree tag ``{uri}local``."""
    if tag.startswith("{"):
        namespace, local = tag[1:].split("}", 1)
        return _prefix(namespace), local
    return "", tag


def check_file(path: Path | str) -> FileSummary:
    """Refuse a file that is not well-formed or not WXR; count its items.

    Runs expat over the whole file without building anything, so a broken
    file is refused before the first write (a stream that found the error
    half-way would already have imported the first half).
    """
    summary = FileSummary(path=str(path))
    parser = expat.ParserCreate(namespace_separator="}")
    state = {"root": False, "wp": False, "version": ""}
    # Python is called for as little as it can be: every element's start
    # while the header is read, then only to count items (text and ends only
    # inside <wp:wxr_version>); a 1 GB file is mostly bodies expat skips over.

    def where():
        return parser.CurrentLineNumber, parser.CurrentColumnNumber + 1

    def start(name, attrs):
        namespace, _, local = name.rpartition("}")
        if not state["root"]:
            state["root"] = True
            if namespace or local != "rss":
                line, column = where()
                raise WxrError(
                    path,
                    line,
                    column,
                    f"the document is <{local}>, not an RSS feed: "
                    "not a WordPress export",
                )
            return
        if _prefix(namespace) == "wp":
            state["wp"] = True
            if local == "wxr_version":
                parser.CharacterDataHandler = text
                parser.EndElementHandler = end
        if name == "item":
            summary.items += 1
            if state["wp"]:  # past the header: from now on, only count
                parser.StartElementHandler = count

    def count(name, attrs):
        if name == "item":
            summary.items += 1

    def end(name):
        parser.CharacterDataHandler = parser.EndElementHandler = None

    def text(data):
        state["version"] += data

    def entity(name, *args):
        line, column = where()
        raise WxrError(
            path, line, column, "the file declares its own entities; WXR never does"
        )

    parser.StartElementHandler = start
    parser.EntityDeclHandler = entity
    try:
        with open(path, "rb") as stream:
            while chunk := stream.read(CHUNK):
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
    except expat.ExpatError as error:
        reason = expat.errors.messages.get(error.code, str(error))
        raise WxrError(
            path, error.lineno, error.offset + 1, f"not well-formed XML: {reason}"
        ) from None
    except OSError as error:
        raise WxrError(path, 0, 0, f"cannot be read: {error.strerror}") from None
    if not state["wp"]:
        raise WxrError(
            path,
            1,
            1,
            "an RSS feed without the WordPress export namespace: not a WXR file",
        )
    version = state["version"].strip()
    if version and version.split(".")[0] != "1":
        raise WxrError(path, 1, 1, f"WXR version {version} is not supported (1.x)")
    summary.version = version
    return summary


def _text(element) -> str:
    # CDATA sections, split or not, arrive joined in .text; entities decoded.
    return element.text or ""


def _item(element) -> Item:
    item = Item()
    for child in element:
        prefix, local = _name(child.tag)
        if prefix == "" and local == "category":
            item.terms.append(
                (child.get("domain", ""), child.get("nicename", ""), _text(child))
            )
        elif prefix == "wp" and local == "postmeta":
            values = {_name(part.tag)[1]: _text(part) for part in child}
            item.meta[values.get("meta_key", "")] = values.get("meta_value", "")
        elif prefix == "wp" and local == "comment":
            comment = {}
            for part in child:
                part_local = _name(part.tag)[1]
                if part_local == "commentmeta":
                    continue
                comment[part_local] = _text(part)
            item.comments.append(comment)
        elif prefix == "content" and local == "encoded":
            item.fields["content"] = _text(child)
        elif prefix == "excerpt" and local == "encoded":
            item.fields["excerpt"] = _text(child)
        elif prefix == "dc" and local == "creator":
            item.fields["creator"] = _text(child)
        elif prefix in ("", "wp"):
            item.fields[local] = _text(child)
    return item


def _post_type(element) -> str:
    for child in element:
        if _name(child.tag) == ("wp", "post_type"):
            return _text(child).strip() or "post"
    return "post"


def read_file(
    path: Path | str, *, types: frozenset[str] | None = None
) -> Iterator[Channel | Author | Item | dict | None]:
    """The file's channel data, authors, categories (as dicts) and items, in
    file order; call ``check_file`` first. Memory holds one item at a time.
    With ``types``, an item of another post type is not built: ``None``
    stands for it (a progress bar still counts it)."""
    channel = Channel()
    channel_element = None
    depth = 0
    announced = False
    for event, element in ET.iterparse(str(path), events=("start", "end")):
        if event == "start":
            depth += 1
            if depth == 2:
                channel_element = element
            continue
        depth -= 1
        if depth != 2 or channel_element is None:
            continue
        prefix, local = _name(element.tag)
        if not announced and local in ("item", "author", "category"):
            # The site's address comes before the first author and item.
            announced = True
            yield channel
        if prefix == "" and local == "item":
            if types is None or _post_type(element) in types:
                yield _item(element)
            else:
                yield None
        elif prefix == "wp" and local == "author":
            values = {_name(part.tag)[1]: _text(part) for part in element}
            yield Author(
                login=values.get("author_login", "").strip(),
                email=values.get("author_email", "").strip(),
                display_name=values.get("author_display_name", "").strip(),
                first_name=values.get("author_first_name", "").strip(),
                last_name=values.get("author_last_name", "").strip(),
            )
        elif prefix == "wp" and local == "category":
            values = {_name(part.tag)[1]: _text(part) for part in element}
            yield {
                "nicename": values.get("category_nicename", "").strip(),
                "name": values.get("cat_name", "").strip(),
                "parent": values.get("category_parent", "").strip(),
                "term_id": values.get("term_id", "").strip(),
            }
        elif prefix == "wp" and local == "wxr_version":
            channel.version = _text(element).strip()
        elif prefix == "wp" and local == "base_site_url":
            channel.base_site_url = _text(element).strip()
        elif prefix == "wp" and local == "base_blog_url":
            channel.base_blog_url = _text(element).strip()
        elif prefix == "" and local in ("title", "link"):
            setattr(channel, local, _text(element).strip())
        # Done with it: the channel keeps no consumed children.
        channel_element.remove(element)
    if not announced:
        yield channel
