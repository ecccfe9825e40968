"""
The body as an editor compares it: its words, with the markup that changes
what a reader gets written out as short bracketed tokens.

Diffing the text alone hides an added image, a link that now leads elsewhere
or a paragraph turned into a heading ("The two revisions are the same"), while
diffing raw HTML buries editors in tags. Here each link, image, embed and
heading becomes one readable token, such as ``[link to https://…]`` or
``[image /media/map.jpg, alt “Map”]``, among the words, so one word diff shows
both. Tokens are plain text: the diff escapes them like any word.
"""

from html.parser import HTMLParser

from django.utils.translation import gettext as _

HEADINGS = {"h2", "h3", "h4"}
# The sanitiser keeps none of these today; a body restored from an older
# revision, or a wider allow-list tomorrow, may carry them.
EMBEDS = {"iframe", "embed", "object", "video", "audio", "source"}


class _Tokeniser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tokens: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag in HEADINGS:
            self.tokens.append(_("[heading %(level)s]") % {"level": tag[1]})
        elif tag == "a":
            self.tokens.append(
                _("[link to %(href)s]") % {"href": attributes.get("href") or "—"}
            )
        elif tag == "img":
            self.tokens.append(
                _("[image %(src)s, alt “%(alt)s”]")
                % {
                    "src": attributes.get("src") or "—",
                    "alt": attributes.get("alt") or "",
                }
            )
        elif tag in EMBEDS:
            source = attributes.get("src") or attributes.get("data") or "—"
            self.tokens.append(
                _("[embed %(tag)s %(src)s]") % {"tag": tag, "src": source}
            )

    def handle_endtag(self, tag):
        if tag in HEADINGS:
            self.tokens.append(_("[end of heading]"))
        elif tag == "a":
            self.tokens.append(_("[end of link]"))

    def handle_data(self, data):
        self.tokens.extend(data.split())


def body_tokens(html: str | None) -> list[str]:
    """The words of ``html`` with its links, images, embeds and headings as
    tokens; a token may hold spaces (an alt text), so it is never split."""
    parser = _Tokeniser()
    parser.feed(html or "")
    parser.close()
    return parser.tokens
