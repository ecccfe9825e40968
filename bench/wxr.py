"""
A synthetic WordPress export for ``make bench-import``: N posts, each with M
threaded comments, spread over categories and tags, some with Co-Authors Plus
guest authors as co-bylines.

Written as a stream, item by item, so a 1 GB file costs no more memory than a
small one; the same arguments give the same bytes (one seeded generator), so
a re-run imports an unchanged file. ``body_bytes`` sets how much text a post
carries: about 8 KB with three comments gives roughly 1 GB for 100,000 posts.

    python -m bench.wxr OUT.xml --posts 2000 --comments 3
"""

from __future__ import annotations

import argparse
import random
from datetime import datetime, timedelta
from pathlib import Path

SITE = "https://bench-gazette.example"
AUTHORS = 12
GUEST_AUTHORS = 20
CATEGORIES = 24
TAGS = 400
WORDS = (
    "harbour council ferry budget school river market bridge mayor station "
    "library weather festival court hospital election road museum park "
    "tram planning housing water police fire union club theatre garden"
).split()

HEAD = """<?xml version="1.0" encoding="UTF-8" ?>
<rss version="2.0"
\txmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"
\txmlns:content="http://purl.org/rss/1.0/modules/content/"
\txmlns:dc="http://purl.org/dc/elements/1.1/"
\txmlns:wp="http://wordpress.org/export/1.2/">
<channel>
\t<title>Bench Gazette</title>
\t<link>{site}</link>
\t<wp:wxr_version>1.2</wp:wxr_version>
\t<wp:base_site_url>{site}</wp:base_site_url>
\t<wp:base_blog_url>{site}</wp:base_blog_url>
"""


def _cdata(text: str) -> str:
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def _sentence(rng: random.Random, words: int) -> str:
    text = " ".join(rng.choice(WORDS) for _ in range(words))
    return text[0].upper() + text[1:] + "."


def _body(rng: random.Random, size: int) -> str:
    """Classic content: paragraphs split by blank lines, as WordPress keeps it."""
    paragraphs, length = [], 0
    while length < size:
        paragraph = " ".join(_sentence(rng, rng.randint(8, 18)) for _ in range(5))
        paragraphs.append(paragraph)
        length += len(paragraph) + 2
    return "\n\n".join(paragraphs)


def _category(term_id: int) -> str:
    return (
        f"\t<wp:category><wp:term_id>{term_id}</wp:term_id>"
        f"<wp:category_nicename>{_cdata(f'desk-{term_id}')}</wp:category_nicename>"
        f"<wp:category_parent>{_cdata('')}</wp:category_parent>"
        f"<wp:cat_name>{_cdata(f'Desk {term_id}')}</wp:cat_name></wp:category>\n"
    )


def _author(number: int) -> str:
    login = f"reporter{number}"
    return (
        f"\t<wp:author><wp:author_id>{number}</wp:author_id>"
        f"<wp:author_login>{_cdata(login)}</wp:author_login>"
        f"<wp:author_email>{_cdata(f'{login}@bench-gazette.example')}</wp:author_email>"
        f"<wp:author_display_name>{_cdata(f'Reporter {number}')}"
        "</wp:author_display_name></wp:author>\n"
    )


def _meta(key: str, value: str) -> str:
    return (
        f"\t\t<wp:postmeta><wp:meta_key>{key}</wp:meta_key>"
        f"<wp:meta_value>{_cdata(value)}</wp:meta_value></wp:postmeta>\n"
    )


def _guest_author(number: int) -> str:
    return f"""\t<item>
\t\t<title>Guest: Columnist {number}</title>
\t\t<wp:post_id>{number}</wp:post_id>
\t\t<wp:post_name>cap-columnist-{number}</wp:post_name>
\t\t<wp:status>publish</wp:status>
\t\t<wp:post_type>guest-author</wp:post_type>
{_meta("cap-display_name", f"Columnist {number}")}\
{_meta("cap-user_login", f"columnist-{number}")}\t</item>
"""


def _comment(rng, post_id, number, parents, when) -> str:
    comment_id = post_id * 100 + number
    parent = rng.choice(parents) if parents and rng.random() < 0.6 else 0
    parents.append(comment_id)
    approved = "1" if rng.random() < 0.9 else "0"
    stamp = (when + timedelta(hours=number + 1)).strftime("%Y-%m-%d %H:%M:%S")
    name = f"Reader {rng.randint(1, 5000)}"
    email = name.lower().replace(" ", "") + "@example.net"
    return (
        f"\t\t<wp:comment><wp:comment_id>{comment_id}</wp:comment_id>"
        f"<wp:comment_author>{_cdata(name)}</wp:comment_author>"
        f"<wp:comment_author_email>{_cdata(email)}"
        "</wp:comment_author_email>"
        f"<wp:comment_author_IP>{_cdata(f'192.0.2.{rng.randint(1, 254)}')}"
        "</wp:comment_author_IP>"
        f"<wp:comment_date_gmt>{_cdata(stamp)}</wp:comment_date_gmt>"
        f"<wp:comment_content>{_cdata(_sentence(rng, rng.randint(6, 30)))}"
        "</wp:comment_content>"
        f"<wp:comment_approved>{_cdata(approved)}</wp:comment_approved>"
        f"<wp:comment_type>{_cdata('comment')}</wp:comment_type>"
        f"<wp:comment_parent>{parent}</wp:comment_parent></wp:comment>\n"
    )


def _post(rng: random.Random, number: int, comments: int, body_bytes: int) -> str:
    post_id = 1000 + number
    when = datetime(2015, 1, 1) + timedelta(hours=7 * number)
    stamp = when.strftime("%Y-%m-%d %H:%M:%S")
    slug = f"story-{number}"
    title = f"{_sentence(rng, 6)[:-1]} ({number})"
    category = rng.randint(1, CATEGORIES)
    terms = [
        f'\t\t<category domain="category" nicename="desk-{category}">'
        f"{_cdata(f'Desk {category}')}</category>\n"
    ]
    for tag in sorted(rng.sample(range(1, TAGS + 1), 3)):
        terms.append(
            f'\t\t<category domain="post_tag" nicename="topic-{tag}">'
            f"{_cdata(f'Topic {tag}')}</category>\n"
        )
    author = f"reporter{rng.randint(1, AUTHORS)}"
    if rng.random() < 0.2:
        # Co-Authors Plus: the byline order is the order of the author terms.
        guest = rng.randint(1, GUEST_AUTHORS)
        terms.append(
            f'\t\t<category domain="author" nicename="cap-{author}">'
            f"{_cdata(author)}</category>\n"
            f'\t\t<category domain="author" nicename="cap-columnist-{guest}">'
            f"{_cdata(f'columnist-{guest}')}</category>\n"
        )
    parents: list[int] = []
    thread = "".join(
        _comment(rng, post_id, n, parents, when) for n in range(1, comments + 1)
    )
    return f"""\t<item>
\t\t<title>{title}</title>
\t\t<link>{SITE}/{when:%Y/%m/%d}/{slug}/</link>
\t\t<dc:creator>{_cdata(author)}</dc:creator>
\t\t<guid isPermaLink="false">{SITE}/?p={post_id}</guid>
\t\t<content:encoded>{_cdata(_body(rng, body_bytes))}</content:encoded>
\t\t<excerpt:encoded>{_cdata(_sentence(rng, 14))}</excerpt:encoded>
\t\t<wp:post_id>{post_id}</wp:post_id>
\t\t<wp:post_date>{_cdata(stamp)}</wp:post_date>
\t\t<wp:post_date_gmt>{_cdata(stamp)}</wp:post_date_gmt>
\t\t<wp:comment_status>{_cdata("open")}</wp:comment_status>
\t\t<wp:post_name>{_cdata(slug)}</wp:post_name>
\t\t<wp:status>{_cdata("publish")}</wp:status>
\t\t<wp:post_type>{_cdata("post")}</wp:post_type>
{"".join(terms)}{thread}\t</item>
"""


def wxr_write(
    *, path: Path, posts: int, comments: int, body_bytes: int = 2000, seed: int = 12
) -> int:
    """Write the export to ``path``; its size in bytes."""
    rng = random.Random(seed)
    with open(path, "w", encoding="utf-8") as out:
        out.write(HEAD.format(site=SITE))
        for number in range(1, AUTHORS + 1):
            out.write(_author(number))
        for term_id in range(1, CATEGORIES + 1):
            out.write(_category(term_id))
        for number in range(1, GUEST_AUTHORS + 1):
            out.write(_guest_author(number))
        for number in range(1, posts + 1):
            out.write(_post(rng, number, comments, body_bytes))
        out.write("</channel>\n</rss>\n")
    return path.stat().st_size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    parser.add_argument("path", type=Path)
    parser.add_argument("--posts", type=int, default=2000)
    parser.add_argument("--comments", type=int, default=3)
    parser.add_argument("--body-bytes", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=12)
    args = parser.parse_args()
    size = wxr_write(
        path=args.path,
        posts=args.posts,
        comments=args.comments,
        body_bytes=args.body_bytes,
        seed=args.seed,
    )
    print(f"{args.path}: {args.posts} posts, {size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
