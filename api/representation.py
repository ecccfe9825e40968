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


def article(item) -> dict:
    """A piece fetched through ``api.selectors`` (its parts attached)."""
    return {
        "id": item.pk,
        "slug": item.slug,
        "url": metadata.absolute_url(item.get_absolute_url()),
        "headline": item.headline,
        "dek": item.dek,
        "body": item.body,
        "section": {
            "id": item.section.pk,
            "name": item.section.name,
            "slug": item.section.slug,
            "url": metadata.absolute_url(item.section.get_absolute_url()),
        },
        "bylines": [
            {
                "name": byline.author.name,
                "slug": byline.author.slug,
                "job_title": byline.author.job_title,
                "url": metadata.absolute_url(byline.author.get_absolute_url()),
            }
            for byline in item.bylines.all()
        ],
        "tags": [tag(each) for each in item.tags.all()],
        "takeaways": [
            {"label": each.label, "text": each.text} for each in item.takeaways.all()
        ],
        "lead_image": _lead_image(item),
        "video": _video(item),
        "corrections": [
            {"kind": each.kind, "text": each.text, "date": iso(each.published_at)}
            for each in item.public_corrections
        ],
        "published_at": iso(item.publish_at),
        "first_published_at": iso(item.first_published_at),
        "updated_at": iso(item.updated_at),
        "modified_at": iso(item.modified_at),
        "reading_time": item.reading_time,
        "comment_count": item.comment_count,
    }


def comment(item) -> dict:
    """An approved comment: the name the reader gave, never their email or IP."""
    return {
        "id": item.pk,
        "parent": item.parent_id,
        "name": item.author_name,
        "body": item.body,
        "created_at": iso(item.created_at),
    }
