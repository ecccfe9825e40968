"""Read stored HTML back the way a browser would and check it against the rules.

Python's ``html.parser`` is independent of nh3 (which uses html5ever), so the
check does not share the sanitiser's parser and its blind spots; it decodes
entities in attribute values as a browser does before looking at a URL.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from articles.sanitize import ALLOWED_ATTRIBUTES, ALLOWED_TAGS, LINK_REL, URL_SCHEMES

COMMENT_LINK_REL = "nofollow ugc noopener"
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.\-]*):")
_C0_OR_SPACE = "".join(chr(code) for code in range(0x21))


def url_scheme(value: str) -> str | None:
    """The scheme a browser reads in ``value`` (None for a relative URL).

    The URL standard strips leading and trailing C0 controls and spaces and
    removes every tab and newline before it looks for the scheme.
    """
    cleaned = re.sub(r"[\t\n\r]", "", value.strip(_C0_OR_SPACE))
    match = _SCHEME.match(cleaned)
    return match.group(1).lower() if match else None


class _Reader(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.comments: list[str] = []
        self.declarations: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag in {"br", "p"}:
            self.text.append(" ")

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        if tag == "p":
            self.text.append(" ")

    def handle_data(self, data):
        self.text.append(data)

    def handle_comment(self, data):
        self.comments.append(data)

    def handle_decl(self, decl):
        self.declarations.append(decl)

    def unknown_decl(self, data):
        self.declarations.append(data)

    def handle_pi(self, data):
        self.declarations.append(data)


def read(html: str) -> _Reader:
    reader = _Reader()
    reader.feed(html)
    reader.close()
    return reader


def body_problems(html: str, media_url: str = "/media/") -> list[str]:
    """Everything in a stored article body that the allow-list forbids."""
    reader = read(html)
    problems = [f"comment <!--{text}-->" for text in reader.comments]
    problems += [f"declaration {text}" for text in reader.declarations]
    for tag, attrs in reader.tags:
        if tag not in ALLOWED_TAGS:
            problems.append(f"tag <{tag}>")
            continue
        allowed = ALLOWED_ATTRIBUTES.get(tag, frozenset()) | (
            {"rel"} if tag == "a" else frozenset()
        )
        for name, value in attrs.items():
            value = value or ""
            if name not in allowed:
                problems.append(f"<{tag} {name}>")
            elif name == "href":
                scheme = url_scheme(value)
                if scheme is not None and scheme not in URL_SCHEMES:
                    problems.append(f"<a href> scheme {scheme}")
            elif name == "rel" and value != LINK_REL:
                problems.append(f"<a rel={value!r}>")
            elif name == "src":
                stripped = value.strip(_C0_OR_SPACE)
                if not stripped.startswith(media_url) or stripped.startswith("//"):
                    problems.append(f"<img src={value!r}>")
            elif name == "srcset":
                for candidate in value.split(","):
                    url = candidate.strip(_C0_OR_SPACE).split(" ")[0]
                    if not url.startswith(media_url) or url.startswith("//"):
                        problems.append(f"<{tag} srcset={value!r}>")
        if tag == "img" and "src" not in attrs:
            problems.append("<img> without src")
    return problems


def comment_problems(html: str) -> list[str]:
    """Everything in a rendered comment beyond escaped text, <p>, <br> and
    links the renderer made (http/https, ``rel="nofollow ugc noopener"``)."""
    reader = read(html)
    problems = [f"comment <!--{text}-->" for text in reader.comments]
    problems += [f"declaration {text}" for text in reader.declarations]
    for tag, attrs in reader.tags:
        if tag in {"p", "br"}:
            if attrs:
                problems.append(f"<{tag}> with attributes {sorted(attrs)}")
        elif tag == "a":
            if set(attrs) != {"href", "rel"}:
                problems.append(f"<a> with attributes {sorted(attrs)}")
            if url_scheme(attrs.get("href") or "") not in {"http", "https"}:
                problems.append(f"<a href={attrs.get('href')!r}>")
            if attrs.get("rel") != COMMENT_LINK_REL:
                problems.append(f"<a rel={attrs.get('rel')!r}>")
        else:
            problems.append(f"tag <{tag}>")
    return problems


def visible_text(html: str) -> str:
    """The text a reader sees, whitespace collapsed."""
    return " ".join("".join(read(html).text).split())
