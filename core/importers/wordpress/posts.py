"""
Posts: each one mapped, compared with what the last run stored, and written
through ``articles.services`` in its own savepoint.

Posts go in small batches inside ``article_batch()`` (search vectors and
purges once per batch); each post is a savepoint of its own, so one that
fails is rolled back alone, reported with its id and reason, and the rest of
the batch goes in. The ``ImportedItem`` row is written in the post's
savepoint too: a run killed half-way leaves whole posts behind it, and the
next run finds them and carries on.

A post whose mapped content hashes to the digest stored last time is
"unchanged" and costs no write; a changed one is updated in place (the same
article, its address kept).

Before mapping, a re-run compares a second digest, of the raw item (its
fields, terms and meta as parsed) together with everything else the mapping
reads: the section and byline rows it resolves to, the options, the post's
attachment pages and a fingerprint of every stored attachment. When that
matches what the last run stored (``data["raw"]``), the post is unchanged
without converting or sanitising its body and without a savepoint. Any
difference, or a row from before this digest existed, takes the full path,
so "what counts as changed" is still decided by the mapped digest.
``RAW_VERSION`` changes whenever the mapping itself does, which sends every
post through the full path once.
"""

from __future__ import annotations

import hashlib
import html
import json
from urllib.parse import urlsplit

from django.db import transaction
from django.utils.html import strip_tags

import core.importers.wordpress.attachments as attachments
import core.importers.wordpress.content as content
import core.importers.wordpress.mapping as mapping
from articles.models import Article, ArticlePath
from articles.services import (
    article_batch,
    article_create,
    article_paths_add,
    article_update,
)
from core.models import ImportedItem

from .discussion import has_new_comments, import_comments, import_comments_many
from .new_posts import NewPosts
from .parse import Item
from .post_rules import (
    _action,
    _attachments_fingerprint,
    _digest,
    _reason,
    skip_comments,
)

__all__ = ["Posts", "skip_comments"]

KIND = ImportedItem.Kind.POST
RAW_VERSION = 1
UPDATE_NOTE = "Changed in the WordPress export."


class Posts(NewPosts):
    def __init__(self, *, source, base_url, people, report, user, options):
        self.source = source
        self.base_path = urlsplit(base_url).path.rstrip("/")
        self.people = people
        self.report = report
        self.user = user
        self.options = options
        self.pages: dict[str, list[ImportedItem]] = {}
        self.attachments = _attachments_fingerprint()

    def run_batch(self, batch: list[tuple[Item, str]]) -> None:
        ids = [item.post_id for item, _ in batch]
        records = {
            record.wp_id: record
            for record in ImportedItem.objects.filter(
                source=self.source, kind=KIND, wp_id__in=ids
            )
        }
        # Which records still lead to an article: ids only, since most posts
        # of a re-run are unchanged and need no row.
        live = set(
            Article.objects.filter(
                pk__in=[record.object_id for record in records.values()]
            ).values_list("pk", flat=True)
        )
        known_comments = dict(
            ImportedItem.objects.filter(
                source=self.source,
                kind=ImportedItem.Kind.COMMENT,
                guid__in=ids,
            ).values_list("wp_id", "object_id")
        )
        # Attachment pages of every post in the batch, in one query.
        self.pages: dict[str, list[ImportedItem]] = {}
        for page in ImportedItem.objects.filter(
            source=self.source,
            kind=ImportedItem.Kind.ATTACHMENT,
            data__parent__in=ids,
        ).order_by("pk"):
            self.pages.setdefault(page.data.get("parent"), []).append(page)
        with article_batch():
            unchanged, rest = [], []
            for item, file in batch:
                record = records.get(item.post_id)
                if record is not None and record.object_id not in live:
                    record.object_id = None  # its article was deleted here
                if record and record.object_id and self._unchanged(item, record):
                    unchanged.append((record.object_id, item, file))
                else:
                    rest.append((item, file, record))
            # Full rows only for the posts that need one: changed ones, and
            # unchanged ones with comments added to the export since.
            articles = Article.objects.in_bulk(
                [record.object_id for _, _, record in rest if record]
                + [
                    pk
                    for pk, item, _ in unchanged
                    if has_new_comments(item, known_comments)
                ]
            )
            import_comments_many(
                posts=[(articles.get(pk), item, file) for pk, item, file in unchanged],
                source=self.source,
                known=known_comments,
                report=self.report,
            )
            self.pending_slugs: set[str] = set()
            self.free_slugs = self._free_bases(
                [item for item, _, record in rest if not (record and record.object_id)]
            )
            new = []
            for item, file, record in rest:
                article = articles.get(record.object_id) if record else None
                try:
                    with transaction.atomic():
                        if article is None:
                            entry = self._prepare_new(item, file, record)
                            if entry is not None:
                                new.append(entry)
                        else:
                            self._one(item, file, record, article, known_comments)
                # One broken post must not stop the others (the issue asks
                # for exactly that): its savepoint is rolled back, and it is
                # reported with its id and reason. Ctrl-C is not an Exception.
                except Exception as error:
                    self._failed(item, file, error)
            if new:
                self._create_new(new, known_comments)

    def _failed(self, item: Item, file: str, error: Exception) -> None:
        self.report.add(
            "post", "failed", wp_id=item.post_id, reason=_reason(error), file=file
        )

    def _raw_digest(self, item: Item) -> str:
        target, _ = mapping.target_status(item, self.options.status_map)
        primary, _ = mapping.categories_and_tags(item, self.people.term_ids)
        section = self.people.section(primary, self.options.default_section)
        authors, _ = self.people.bylines(mapping.byline_logins(item))
        canonical = {
            "version": RAW_VERSION,
            "fields": item.fields,
            "terms": item.terms,
            "meta": item.meta,
            "target": target,
            "section": section.pk,
            "bylines": [author.pk for author in authors],
            "default_section": self.options.default_section,
            "base_path": self.base_path,
            "pages": [
                (page.wp_id, page.data.get("link", ""))
                for page in self.pages.get(item.post_id, [])
            ],
            "attachments": self.attachments,
        }
        return hashlib.sha256(
            json.dumps(canonical, sort_keys=True, default=str).encode()
        ).hexdigest()

    def _unchanged(self, item: Item, record: ImportedItem) -> bool:
        """Whether the raw item and all the mapping reads are as last time."""
        if not record.data.get("raw"):
            return False
        target, _ = mapping.target_status(item, self.options.status_map)
        if target == mapping.SKIP:
            return False
        if record.data["raw"] != self._raw_digest(item):
            return False
        self.report.add("post", "unchanged")
        return True

    def _one(self, item, file, record, article, known_comments) -> None:
        target, why = mapping.target_status(item, self.options.status_map)
        if target == mapping.SKIP:
            self.report.add(
                "post", "skipped", wp_id=item.post_id, reason=why, file=file
            )
            skip_comments(item, self.report, file=file)
            return
        if why:
            self.report.note("post", item.post_id, why)
        fields, bylines, tags, paths = self._map(item, target, article)
        digest = _digest(fields, bylines, tags, target, paths)
        raw = self._raw_digest(item)
        if article is not None and record.digest == digest:
            self.report.add("post", "unchanged")
        elif article is not None:
            article = self._update(article, item, target, fields, bylines, tags)
            self.report.add("post", "updated")
        else:
            article = self._create(item, target, fields, bylines, tags)
            self.report.add("post", "created")
        if (
            record is None
            or record.digest != digest
            or record.object_id != article.pk
            or record.data.get("raw") != raw
        ):
            ImportedItem.objects.update_or_create(
                source=self.source,
                kind=KIND,
                wp_id=item.post_id,
                defaults={
                    "guid": item.get("guid").strip()[:500],
                    "object_id": article.pk,
                    "digest": digest,
                    "data": {"raw": raw},
                },
            )
            for path in article_paths_add(article=article, paths=paths):
                self.report.note(
                    "post", item.post_id, f"old address {path} leads elsewhere"
                )
        import_comments(
            article=article,
            item=item,
            source=self.source,
            known=known_comments,
            report=self.report,
            file=file,
        )

    def _map(self, item: Item, target: str, article: Article | None):
        primary, tags = mapping.categories_and_tags(item, self.people.term_ids)
        section = self.people.section(primary, self.options.default_section)
        authors, unknown = self.people.bylines(mapping.byline_logins(item))
        for login in unknown:
            self.report.note("post", item.post_id, f"unknown author “{login}”")
        raw = item.get("content")
        thumbnail = item.meta.get("_thumbnail_id", "").strip()
        found = attachments.lookup(
            self.source,
            keys=content.linked_files(raw),
            wp_ids={thumbnail} if thumbnail else set(),
        )

        def media_url(url: str) -> str | None:
            record = found.get(("key", content.url_key(url)))
            return attachments.media_url(record.data["stored"]) if record else None

        body = content.convert(raw, media_url=media_url)
        for name in body.unknown_shortcodes:
            self.report.note("post", item.post_id, f"shortcode [{name}] kept as text")
        headline = html.unescape(item.get("title")).strip() or f"Post {item.post_id}"
        when = mapping.post_date(item)
        fields = {
            "headline": headline[:255],
            "dek": " ".join(html.unescape(strip_tags(item.get("excerpt"))).split())[
                :300
            ],
            "body": body.html,
            "section": section,
            "allow_comments": item.get("comment_status").strip() != "closed",
            "video_url": body.video_url,
            "video_title": headline[:200] if body.video_url else "",
            "publish_at": when
            if target in (mapping.PUBLISHED, mapping.SCHEDULED)
            else None,
        }
        lead = found.get(("id", thumbnail))
        if lead is not None and lead.data.get("stored"):
            fields.update(
                lead_image=lead.data["stored"],
                lead_image_renditions=lead.data["renditions"],
                lead_image_alt=(lead.data["alt"] or lead.data["title"] or headline)[
                    :250
                ],
                lead_image_caption=lead.data["caption"][:300],
                lead_image_credit=lead.data["credit"][:150],
            )
        elif thumbnail:
            self.report.note("post", item.post_id, "its featured image was not stored")
        paths = self._old_paths(item)
        return fields, authors, tags, paths

    def _old_paths(self, item: Item) -> list[str]:
        """The addresses the post answered at on the old site."""
        paths = [f"/?p={item.post_id}"]
        for address in (item.get("link"), item.get("guid")):
            parts = urlsplit(address.strip())
            if parts.query.startswith(("p=", "page_id=")):
                paths.append(f"/?{parts.query}")
            elif parts.path and parts.path != "/":
                paths.append(parts.path)
                if self.base_path and parts.path.startswith(self.base_path + "/"):
                    paths.append(parts.path[len(self.base_path) :])
        # Attachment pages of the images it carries.
        for record in self.pages.get(item.post_id, []):
            paths.append(f"/?attachment_id={record.wp_id}")
            link = urlsplit(record.data.get("link", ""))
            if link.path and link.path != "/":
                paths.append(link.path)
        return list(dict.fromkeys(paths))

    def _create(self, item, target, fields, bylines, tags) -> Article:
        action, publish_at = _action(target, fields["publish_at"], current=None)
        return article_create(
            user=self.user,
            fields=fields,
            bylines=bylines,
            tags=tags,
            article=Article(slug=self._free_slug(mapping.base_slug(item))),
            action=action,
            publish_at=publish_at,
            note="Imported from WordPress." if action == "unpublish" else "",
        )

    def _update(self, article, item, target, fields, bylines, tags) -> Article:
        action, publish_at = _action(target, fields["publish_at"], current=article)
        if action == "schedule":
            fields = {**fields, "publish_at": None}
        return article_update(
            article=article,
            user=self.user,
            expected_version=None,
            fields=fields,
            bylines=bylines,
            tags=tags,
            action=action,
            publish_at=publish_at,
            note=UPDATE_NOTE if action in ("return_to_draft", "unpublish") else "",
        )

    @staticmethod
    def _free_bases(items: list[Item]) -> set[str]:
        """The batch's new posts' own slugs that no piece and no old address
        has: two queries for the batch instead of two per post."""
        bases = {mapping.base_slug(item) for item in items}
        taken = set(
            Article.objects.filter(slug__in=bases).values_list("slug", flat=True)
        )
        taken.update(
            ArticlePath.objects.filter(slug__in=bases).values_list("slug", flat=True)
        )
        return bases - taken

    def _free_slug(self, base: str) -> str:
        """The post's slug, or the first ``-2``, ``-3`` … free here (another
        piece's slug or old address keeps what it has, and so does a post
        of this batch still to be written)."""
        if base in self.free_slugs and base not in self.pending_slugs:
            return base
        slug, number = base, 2
        while (
            slug in self.pending_slugs
            or Article.objects.filter(slug=slug).exists()
            or ArticlePath.objects.filter(slug=slug).exists()
        ):
            slug, number = f"{base[:170]}-{number}", number + 1
        return slug
