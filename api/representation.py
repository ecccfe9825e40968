"""
What the API prints of each thing, as plain dicts. Built from structured
fields and the stored (sanitised) body only; every URL is absolute on the
canonical origin, like the pages' metadata, so a cached answer names the same
addresses whoever asked first. Authors carry their public byline only: no
login, email or user id ever reaches these functions' output.
"""

from django.utils import timezone

from articles import metadata
from articles.video import parse_video_url

ARTICLE_FIELDS = (
    "id",
    "slug",
    "url",
    "headline",
    "dek",
    "body",
    "section",
    "bylines",
    "tags",
    "takeaways",
    "lead_image",
    "video",
    "corrections",
    "published_at",
    "first_published_at",
    "updated_at",
    "modified_at",
    "reading_time",
    "comment_count",
)
# What a list prints of each piece unless ``fields=`` says otherwise: what a
# front end needs for a card or a link. The body and the parts only the
# piece's own page prints (takeaways, video, corrections) are left to the
# detail: with them, a list of 20 weighed 116 KB (docs/api.md).
ARTICLE_HEAVY_FIELDS = ("body", "takeaways", "video", "corrections")
ARTICLE_SUMMARY_FIELDS = tuple(
    name for name in ARTICLE_FIELDS if name not in ARTICLE_HEAVY_FIELDS
)


def iso(value) -> str | None:
    return timezone.localtime(value).isoformat() if value else None


def section(item) -> dict:
    return {
        "id": item.pk,
        "name": item.name,
        "slug": item.slug,
        "description": item.description,
        "url": metadata.absolute_url(item.get_absolute_url()),
    }


def author(item) -> dict:
    photo = metadata.largest_image(item.photo_renditions)
    return {
        "id": item.pk,
        "name": item.name,
        "slug": item.slug,
        "job_title": item.job_title,
        "bio": item.bio,
        "photo": photo["absolute_url"] if photo else None,
        "url": metadata.absolute_url(item.get_absolute_url()),
    }


def tag(item) -> dict:
    return {"id": item.pk, "name": item.name, "slug": item.slug}


def _lead_image(article) -> dict | None:
    if not article.lead_image_renditions:
        return None
    grouped = metadata.renditions_by_format(article.lead_image_renditions)
    return {
        "alt": article.lead_image_alt,
        "caption": article.lead_image_caption,
        "credit": article.lead_image_credit,
        "renditions": [
            {
                "url": metadata.absolute_url(item["url"]),
                "width": item["width"],
                "format": image_format,
            }
            for image_format, items in grouped.items()
            for item in items
        ],
    }


def _video(article) -> dict | None:
    if not article.video_url:
        return None
    video = parse_video_url(article.video_url)
    return {
        "provider": video.provider,
        "title": article.video_title,
        "watch_url": video.watch_url,
        "embed_url": video.embed_url,
    }


def _section_ref(item) -> dict:
    return {
        "id": item.section.pk,
        "name": item.section.name,
        "slug": item.section.slug,
        "url": metadata.absolute_url(item.section.get_absolute_url()),
    }


def _bylines(item) -> list[dict]:
    return [
        {
            "name": byline.author.name,
            "slug": byline.author.slug,
            "job_title": byline.author.job_title,
            "url": metadata.absolute_url(byline.author.get_absolute_url()),
        }
        for byline in item.bylines.all()
    ]


# How each field of a piece is printed, in ARTICLE_FIELDS' order: only the
# fields asked for are worked out.
_ARTICLE = {
    "id": lambda item: item.pk,
    "slug": lambda item: item.slug,
    "url": lambda item: metadata.absolute_url(item.get_absolute_url()),
    "headline": lambda item: item.headline,
    "dek": lambda item: item.dek,
    "body": lambda item: item.body,
    "section": _section_ref,
    "bylines": _bylines,
    "tags": lambda item: [tag(each) for each in item.tags.all()],
    "takeaways": lambda item: [
        {"label": each.label, "text": each.text} for each in item.takeaways.all()
    ],
    "lead_image": _lead_image,
    "video": _video,
    "corrections": lambda item: [
        {"kind": each.kind, "text": each.text, "date": iso(each.published_at)}
        for each in item.public_corrections
    ],
    "published_at": lambda item: iso(item.publish_at),
    "first_published_at": lambda item: iso(item.first_published_at),
    "updated_at": lambda item: iso(item.updated_at),
    "modified_at": lambda item: iso(item.modified_at),
    "reading_time": lambda item: item.reading_time,
    "comment_count": lambda item: item.comment_count,
}
assert tuple(_ARTICLE) == ARTICLE_FIELDS


def article(item, fields=ARTICLE_FIELDS) -> dict:
    """A piece fetched through ``api.selectors`` (its parts attached), with
    ``fields`` in that order (every field unless told)."""
    return {name: _ARTICLE[name](item) for name in fields}


def comment(item) -> dict:
    """An approved comment: the name the reader gave, never their email or IP."""
    return {
        "id": item.pk,
        "parent": item.parent_id,
        "name": item.author_name,
        "body": item.body,
        "created_at": iso(item.created_at),
    }
