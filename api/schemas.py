"""
The shapes of the answers, for the OpenAPI document (``/api/v1/schema/``).
The endpoints build plain dicts (``api.representation``) and answer them
directly; ``tests/api/test_schema.py`` holds the two to the same field names.
"""

from ninja import Field, Schema


class Problem(Schema):
    type: str
    title: str
    status: int
    detail: str
    parameter: str | None = None


class SectionRef(Schema):
    id: int
    name: str
    slug: str
    url: str


class Byline(Schema):
    name: str
    slug: str
    job_title: str
    url: str


class TagOut(Schema):
    id: int
    name: str
    slug: str


class Takeaway(Schema):
    label: str
    text: str


class Rendition(Schema):
    url: str
    width: int
    format: str


class LeadImage(Schema):
    alt: str
    caption: str
    credit: str
    renditions: list[Rendition]


class Video(Schema):
    provider: str
    title: str
    watch_url: str
    embed_url: str


class CorrectionOut(Schema):
    kind: str
    text: str
    date: str


ONLY_IF_ASKED = "Only when fields= names it: a list leaves it to the piece's page."


class ArticleSummary(Schema):
    """A piece in a list: every field but the heavy ones (``body``,
    ``takeaways``, ``video``, ``corrections``), which ``fields=`` may name;
    with ``fields=``, exactly the fields named, in that order."""

    id: int
    slug: str
    url: str
    headline: str
    dek: str
    body: str = Field(None, description=ONLY_IF_ASKED)
    section: SectionRef
    bylines: list[Byline]
    tags: list[TagOut]
    takeaways: list[Takeaway] = Field(None, description=ONLY_IF_ASKED)
    lead_image: LeadImage | None
    video: Video | None = Field(None, description=ONLY_IF_ASKED)
    corrections: list[CorrectionOut] = Field(None, description=ONLY_IF_ASKED)
    published_at: str
    first_published_at: str | None
    updated_at: str | None
    modified_at: str
    reading_time: int
    comment_count: int


class ArticleOut(ArticleSummary):
    """One piece: every field; ``fields=`` returns only those named."""

    body: str
    takeaways: list[Takeaway]
    video: Video | None
    corrections: list[CorrectionOut]


class Tombstone(Schema):
    id: int
    slug: str
    removed_at: str


class ArticlePage(Schema):
    results: list[ArticleSummary]
    next: str | None
    withdrawn: list[Tombstone] | None = None


class CommentOut(Schema):
    id: int
    parent: int | None
    name: str
    body: str = Field(
        description=(
            "Plain text exactly as the reader wrote it (trimmed): never HTML. "
            "Escape it before putting it in a page."
        )
    )
    created_at: str


class CommentPage(Schema):
    results: list[CommentOut]
    next: str | None


class SectionOut(SectionRef):
    description: str


class SectionList(Schema):
    results: list[SectionOut]


class AuthorOut(Schema):
    id: int
    name: str
    slug: str
    job_title: str
    bio: str
    photo: str | None
    url: str


class AuthorPage(Schema):
    results: list[AuthorOut]
    next: str | None


class TagPage(Schema):
    results: list[TagOut]
    next: str | None
