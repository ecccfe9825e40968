"""
New posts of a batch: each one mapped and checked in its own savepoint, then
all of them written together through ``articles.services.article_create_many``
(articles, bylines, tags, transitions and revisions in a few INSERTs), their
old addresses, import records and comments after them.

A post whose checks fail is reported with its id and reason and the rest go
in. If the batch's write fails as a whole, its savepoint is rolled back
(nothing half-written stays) and every post goes the per-post way
(``Posts._one``, a savepoint each), so only the bad one fails.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

import core.importers.wordpress.mapping as mapping
from articles.services import NewArticle, article_create_many, article_paths_add_many
from articles.services.rows import rows_insert
from core.models import ImportedItem

from .discussion import import_comments_many
from .parse import Item
from .post_rules import _action, _digest, _reason, skip_comments

KIND = ImportedItem.Kind.POST


class NewPosts:
    """The new-post half of ``Posts`` (which supplies ``_map``, ``_one``,
    ``_free_slug``, ``_raw_digest`` and ``_failed``)."""

    def _prepare_new(self, item, file, record) -> _New | None:
        """A new post mapped and given its slug, to be written with the rest
        of the batch; None when it is skipped."""
        target, why = mapping.target_status(item, self.options.status_map)
        if target == mapping.SKIP:
            self.report.add(
                "post", "skipped", wp_id=item.post_id, reason=why, file=file
            )
            skip_comments(item, self.report, file=file)
            return None
        notes = _Notes()
        real, self.report = self.report, notes
        try:
            if why:
                self.report.note("post", item.post_id, why)
            fields, bylines, tags, paths = self._map(item, target, None)
        finally:
            self.report = real
        action, publish_at = _action(target, fields["publish_at"], current=None)
        slug = self._free_slug(mapping.base_slug(item))
        self.pending_slugs.add(slug)
        return _New(
            item=item,
            file=file,
            record=record,
            row=NewArticle(
                fields=fields,
                slug=slug,
                bylines=bylines,
                tags=tags,
                action=action,
                publish_at=publish_at,
                note="Imported from WordPress." if action == "unpublish" else "",
            ),
            digest=_digest(fields, bylines, tags, target, paths),
            raw=self._raw_digest(item),
            paths=paths,
            notes=notes,
        )

    def _create_new(self, new: list[_New], known_comments) -> None:
        """The batch's new posts written together (``article_create_many``);
        if that fails as a whole, each goes the per-post way instead."""
        deferred = _Notes()
        try:
            with transaction.atomic():
                self._write_new(new, known_comments, deferred)
        except Exception:
            # One by one, each slug looked up again: what was free at the
            # start of the batch may not be any more.
            self.pending_slugs.clear()
            self.free_slugs.clear()
            for entry in new:
                try:
                    with transaction.atomic():
                        self._one(entry.item, entry.file, entry.record, None, {})
                except Exception as error:
                    self._failed(entry.item, entry.file, error)
            return
        deferred.replay(self.report)

    def _write_new(self, new: list[_New], known_comments, report) -> None:
        results = article_create_many(user=self.user, rows=[entry.row for entry in new])
        done = []
        for entry, result in zip(new, results, strict=True):
            entry.notes.replay(report)
            if isinstance(result, Exception):
                report.add(
                    "post",
                    "failed",
                    wp_id=entry.item.post_id,
                    reason=_reason(result),
                    file=entry.file,
                )
            else:
                done.append((entry, result))
        refused = article_paths_add_many(
            paths=[(article, entry.paths) for entry, article in done]
        )
        fresh = []
        for entry, article in done:
            report.add("post", "created")
            for path in refused[article.pk]:
                report.note(
                    "post", entry.item.post_id, f"old address {path} leads elsewhere"
                )
            record = ImportedItem(
                source=self.source,
                kind=KIND,
                wp_id=entry.item.post_id,
                guid=entry.item.get("guid").strip()[:500],
                object_id=article.pk,
                digest=entry.digest,
                data={"raw": entry.raw},
            )
            if entry.record is None:
                fresh.append(record)
            else:  # its article was deleted here: the record points anew
                record.pk = entry.record.pk
                record.save()
        rows_insert(ImportedItem, fresh)
        import_comments_many(
            posts=[(article, entry.item, entry.file) for entry, article in done],
            source=self.source,
            known=known_comments,
            report=report,
        )


@dataclass
class _New:
    """A new post mapped and checked, waiting for the batch's write."""

    item: Item
    file: str
    record: ImportedItem | None
    row: NewArticle
    digest: str
    raw: str
    paths: list[str]
    notes: _Notes


class _Notes:
    """Report entries held back until the write they describe has held."""

    def __init__(self):
        self.calls = []

    def add(self, *args, **kwargs) -> None:
        self.calls.append(("add", args, kwargs))

    def note(self, *args, **kwargs) -> None:
        self.calls.append(("note", args, kwargs))

    def replay(self, report) -> None:
        for name, args, kwargs in self.calls:
            getattr(report, name)(*args, **kwargs)
