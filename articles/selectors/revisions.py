"""
Revisions of articles with django-reversion, and a readable diff between two.

One revision holds the article with its bylines, key takeaways, editor's
picks and tags, so restoring one brings all of them back together.
Restoring is done through the admin's revision form, which saves a new
revision: history only grows.
"""

import difflib
from dataclasses import dataclass

import reversion
from django.contrib.contenttypes.models import ContentType
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _
from reversion.models import Version
from taggit.models import Tag

from articles.models import (
    Article,
    ArticleAuthor,
    Author,
    KeyTakeaway,
    RelatedArticle,
    Section,
    TaggedArticle,
)
from articles.selectors.body_diff import body_tokens

PARTS = (ArticleAuthor, KeyTakeaway, RelatedArticle, TaggedArticle)
# What a revision of an article holds; ``articles.services.many`` writes the
# same versions itself (``version_fields``), so it is said once, here.
FOLLOW = ("bylines", "takeaways", "related_links", "tagged_items")
# The version counter and the search vector are bookkeeping, not content.
EXCLUDE = {Article: ("version", "search_vector", "comment_count")}
FORMAT = "json"  # django-reversion's default, said out loud

for model in PARTS:
    if not reversion.is_registered(model):
        reversion.register(model, format=FORMAT)
if not reversion.is_registered(Article):
    reversion.register(Article, follow=FOLLOW, exclude=EXCLUDE[Article], format=FORMAT)


def version_fields(model) -> tuple[str, ...]:
    """The fields a version of ``model`` stores, as ``reversion.register``
    chose them: its own fields and many-to-many, less ``EXCLUDE``."""
    opts = model._meta.concrete_model._meta
    return tuple(
        field.name
        for field in opts.local_fields + opts.local_many_to_many
        if field.name not in EXCLUDE.get(model, ())
    )


TEXT_FIELDS = [
    ("headline", _("Headline")),
    ("slug", _("Slug")),
    ("dek", _("Dek")),
    ("body", _("Body")),
    ("video_url", _("Video link")),
    ("video_title", _("Video title")),
    ("lead_image", _("Lead image")),
    ("lead_image_alt", _("Alt text")),
    ("lead_image_caption", _("Caption")),
    ("lead_image_credit", _("Credit")),
    ("status", _("Status")),
    ("publish_at", _("Publish at")),
    ("allow_comments", _("Allow comments")),
]


@dataclass(frozen=True)
class Change:
    label: str
    diff: SafeString


def _words_diff(old: str, new: str) -> SafeString:
    """Words removed in <del>, words added in <ins>; everything escaped."""
    return _tokens_diff(old.split(), new.split())


def _tokens_diff(old_words: list[str], new_words: list[str]) -> SafeString:
    """Tokens removed in <del>, tokens added in <ins>; everything escaped."""
    parts = []
    matcher = difflib.SequenceMatcher(a=old_words, b=new_words, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            parts.append(escape(" ".join(old_words[a1:a2])))
            continue
        if a2 > a1:
            parts.append(f"<del>{escape(' '.join(old_words[a1:a2]))}</del>")
        if b2 > b1:
            parts.append(f"<ins>{escape(' '.join(new_words[b1:b2]))}</ins>")
    return mark_safe(" ".join(parts))


def _plain(name: str, value) -> str:
    if value is None:
        return ""
    return str(value)


def _related(version: Version) -> dict[str, list[str]]:
    """Bylines, takeaways, picks and tags stored in the same revision."""
    types = ContentType.objects.get_for_models(
        ArticleAuthor, KeyTakeaway, RelatedArticle, TaggedArticle
    )
    stored = {model: [] for model in types}
    for item in version.revision.version_set.filter(
        content_type__in=types.values()
    ).select_related("content_type"):
        stored[item.content_type.model_class()].append(item.field_dict)
    author_ids = [row["author_id"] for row in stored[ArticleAuthor]]
    names = dict(Author.objects.filter(pk__in=author_ids).values_list("pk", "name"))
    pick_ids = [row["to_article_id"] for row in stored[RelatedArticle]]
    headlines = dict(
        Article.objects.filter(pk__in=pick_ids).values_list("pk", "headline")
    )
    tag_ids = [row["tag_id"] for row in stored[TaggedArticle]]
    tags = dict(Tag.objects.filter(pk__in=tag_ids).values_list("pk", "name"))

    def ordered(rows):
        return sorted(rows, key=lambda row: (row["position"], row["id"]))

    return {
        str(_("Byline")): [
            names.get(row["author_id"], "?") for row in ordered(stored[ArticleAuthor])
        ],
        str(_("Key takeaways")): [
            f"{row['label']}: {row['text']}" for row in ordered(stored[KeyTakeaway])
        ],
        str(_("Related articles")): [
            headlines.get(row["to_article_id"], "?")
            for row in ordered(stored[RelatedArticle])
        ],
        str(_("Tags")): sorted(
            tags.get(row["tag_id"], "?") for row in stored[TaggedArticle]
        ),
    }


def compare(older: Version, newer: Version) -> list[Change]:
    """What changed from one revision of an article to another, field by field."""
    changes = []
    old_fields, new_fields = older.field_dict, newer.field_dict
    for name, label in TEXT_FIELDS:
        if name == "body":
            # Links, images, embeds and headings count, not only the words.
            old_tokens = body_tokens(old_fields.get(name))
            new_tokens = body_tokens(new_fields.get(name))
            if old_tokens != new_tokens:
                changes.append(Change(str(label), _tokens_diff(old_tokens, new_tokens)))
            continue
        old, new = (
            _plain(name, old_fields.get(name)),
            _plain(name, new_fields.get(name)),
        )
        if old != new:
            changes.append(Change(str(label), _words_diff(old, new)))
    old_section, new_section = (
        old_fields.get("section_id"),
        new_fields.get("section_id"),
    )
    if old_section != new_section:
        sections = dict(
            Section.objects.filter(pk__in=[old_section, new_section]).values_list(
                "pk", "name"
            )
        )
        changes.append(
            Change(
                str(_("Section")),
                _words_diff(
                    sections.get(old_section, ""), sections.get(new_section, "")
                ),
            )
        )
    old_related, new_related = _related(older), _related(newer)
    for label, old_items in old_related.items():
        new_items = new_related[label]
        if old_items != new_items:
            changes.append(
                Change(label, _words_diff(" · ".join(old_items), " · ".join(new_items)))
            )
    return changes
