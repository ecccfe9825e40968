"""
One import, phase by phase; the command, a job or an admin view calls
``wordpress_import`` and draws the progress however it likes.

1. check: every file is read once by expat; one that is not well-formed or
   not WXR stops the import before anything is written.
2. people and media: authors, guest authors, categories and attachments of
   every file, so that a post in any file finds an image from any other.
3. posts: in batches, each post in its own savepoint, with its comments and
   old addresses.

``progress(phase, total)`` returns a bar with ``update(n)`` and ``close()``
(tqdm's interface); a dry run does all of it inside a transaction that is
rolled back at the end, reading no media.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from django.db import connection, transaction

from articles.models import Article
from articles.services import announcements_held
from caching.purges import purges_gathered
from comments.models import Comment
from core.models import ImportedItem

from .attachments import Attachments
from .mapping import DEFAULT_STATUS_MAP
from .media import MediaSource
from .parse import Author, Channel, Item, check_file, read_file
from .people import People
from .posts import Posts, skip_comments
from .report import Report

BATCH_SIZE = 50
# What the authors-and-media pass reads; posts wait for the next one.
FIRST_PASS_TYPES = frozenset({"attachment", "guest-author"})
SKIPPED_TYPES = {
    "page": "page: pages are not articles",
    "nav_menu_item": "menu item: the site's menu is its sections",
    "revision": "revision: only the current text is imported",
    "wp_block": "reusable block",
    "wp_navigation": "navigation block",
    "custom_css": "theme CSS",
    "wp_global_styles": "theme styles",
}


class Bar(Protocol):
    def update(self, n: int = 1) -> object: ...
    def close(self) -> object: ...


class _NoBar:
    def update(self, n: int = 1) -> None:
        pass

    def close(self) -> None:
        pass


def no_progress(phase: str, total: int) -> Bar:
    return _NoBar()


@dataclass
class ImportOptions:
    media: MediaSource = field(default_factory=MediaSource)
    dry_run: bool = False
    authors_map: dict[str, str] = field(default_factory=dict)
    status_map: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_STATUS_MAP))
    default_section: str = "uncategorized"
    batch_size: int = BATCH_SIZE


class _DryRunDone(Exception):
    """Raised to roll a dry run back."""


@announcements_held()  # an import is not news: no webhook per piece
def wordpress_import(
    *,
    paths: Sequence[Path | str],
    user,
    options: ImportOptions | None = None,
    progress: Callable[[str, int], Bar] = no_progress,
) -> Report:
    """Import the WXR files at ``paths`` as ``user``; what happened, counted.

    Raises ``WxrError`` (nothing written) for a file we refuse as a whole.
    """
    options = options or ImportOptions()
    started = time.monotonic()
    report = Report(files=[str(path) for path in paths], dry_run=options.dry_run)
    summaries = []
    bar = progress("check", len(paths))
    for path in paths:
        summaries.append(check_file(path))
        bar.update(1)
    bar.close()
    total = sum(summary.items for summary in summaries)
    try:
        # Pages go stale once every half minute at most, not once a batch.
        with (
            purges_gathered(),
            transaction.atomic() if options.dry_run else nullcontext(),
        ):
            _import(paths, user, options, report, total, progress)
            if options.dry_run:
                raise _DryRunDone
    except _DryRunDone:
        pass
    if report.total("created") or report.total("updated"):
        refresh_statistics()
    report.seconds = time.monotonic() - started
    return report


def refresh_statistics() -> None:
    """Tell the database's planner how big the tables an import fills now are.

    Until autovacuum gets round to it, PostgreSQL plans with the sizes it saw
    before the import: a re-run straight after a first import of 100,000
    posts then scanned all 300,000 comment records for each batch (67 ms a
    lookup instead of 0.2 ms). SQLite has no statistics until ANALYZE runs.
    """
    with connection.cursor() as cursor:
        for model in (ImportedItem, Article, Comment):
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def _import(paths, user, options, report, total, progress) -> None:
    people = None
    media = None if options.dry_run else options.media
    handlers: dict[str, tuple] = {}
    bar = progress("authors and media", total)
    for path in paths:
        file = str(path)
        for thing in read_file(path, types=FIRST_PASS_TYPES):
            if thing is None or isinstance(thing, Item):
                bar.update(1)
            if isinstance(thing, Channel):
                if people is None:
                    people = People(
                        source=thing.source,
                        report=report,
                        authors_map=options.authors_map,
                    )
                handlers[file] = (
                    thing,
                    Attachments(source=thing.source, media=media, report=report),
                )
            elif isinstance(thing, Author):
                people.wxr_author(thing, file=file)
            elif isinstance(thing, dict):
                people.category(thing)
            elif isinstance(thing, Item):
                if thing.post_type == "attachment":
                    handlers[file][1].handle(thing, file=file)
                elif thing.post_type == "guest-author":
                    people.guest_author(thing, file=file)
    bar.close()
    bar = progress("posts", total)
    for path in paths:
        file = str(path)
        channel = handlers[file][0]
        people.source = channel.source
        posts = Posts(
            source=channel.source,
            base_url=channel.base_blog_url or channel.link,
            people=people,
            report=report,
            user=user,
            options=options,
        )
        batch: list[tuple[Item, str]] = []
        for thing in read_file(path):
            if not isinstance(thing, Item):
                continue
            bar.update(1)
            kind = thing.post_type
            if kind in ("attachment", "guest-author"):
                continue
            if kind != "post":
                reason = SKIPPED_TYPES.get(kind, f"post type “{kind}” is not imported")
                report.add(
                    kind.replace("nav_menu_item", "menu item"),
                    "skipped",
                    wp_id=thing.post_id,
                    reason=reason,
                    file=file,
                )
                skip_comments(thing, report, file=file)
                continue
            batch.append((thing, file))
            if len(batch) >= options.batch_size:
                posts.run_batch(batch)
                batch = []
        if batch:
            posts.run_batch(batch)
    bar.close()
