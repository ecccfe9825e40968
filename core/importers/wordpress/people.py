"""
Authors and sections: the names printed around the imported pieces.

WordPress's own importer makes a login for every author and, run twice, can
make them twice. Here an author is only a byline (``Author`` without a user):
nobody can sign in as an imported name. Each is found again on the next run
through ``ImportedItem`` (by login), and ``--authors-map`` points a login at
an author who already exists here. Co-Authors Plus "guest authors" are items
of their own type; they become authors the same way, keyed ``cap-<login>``.

Sections are made only for categories that are some post's section (the
others become tags), so the site's menu does not fill with 60 entries.
"""

from __future__ import annotations

import csv
from pathlib import Path

from django.utils.text import slugify

from articles.models import Author, Section
from articles.services import author_save, section_save
from core.models import ImportedItem

from .mapping import term_name
from .parse import Author as WxrAuthor
from .parse import Item

KIND_AUTHOR = ImportedItem.Kind.AUTHOR


def read_authors_map(path: Path | str) -> dict[str, str]:
    """``login,author_slug`` rows (a header row is allowed) → a mapping."""
    mapping = {}
    with open(path, newline="", encoding="utf-8") as stream:
        for row in csv.reader(stream):
            if len(row) < 2 or row[0].strip().lower() in ("", "login", "wp_login"):
                continue
            mapping[row[0].strip().lower()] = row[1].strip()
    return mapping


class People:
    """Authors and sections of one import, found or made once each."""

    def __init__(self, *, source: str, report, authors_map: dict[str, str]):
        self.source = source
        self.report = report
        self.authors_map = authors_map
        self.authors: dict[str, Author] = {}
        self.sections: dict[str, Section] = {}
        self.categories: dict[str, dict] = {}  # nicename → name, term id
        self.term_ids: dict[str, str] = {}

    # Authors ----------------------------------------------------------------

    def wxr_author(self, author: WxrAuthor, *, file: str) -> None:
        name = (
            author.display_name
            or f"{author.first_name} {author.last_name}".strip()
            or author.login
        )
        self._author(author.login, term_name(name), file=file)

    def guest_author(self, item: Item, *, file: str) -> None:
        """A Co-Authors Plus guest author (post type ``guest-author``)."""
        login = (
            item.meta.get("cap-user_login")
            or item.get("post_name").removeprefix("cap-")
        ).strip()
        name = item.meta.get("cap-display_name") or item.get("title")
        if not login:
            self.report.add(
                "author", "skipped", wp_id=item.post_id, reason="no login", file=file
            )
            return
        self._author(login, term_name(name) or login, file=file)

    def _author(self, login: str, name: str, *, file: str) -> Author | None:
        key = login.lower()
        if key in self.authors or not key:
            return self.authors.get(key)
        mapped = self.authors_map.get(key)
        if mapped:
            author = Author.objects.filter(slug=mapped).first()
            if author is None:
                self.report.add(
                    "author",
                    "failed",
                    wp_id=login,
                    reason=f"--authors-map names “{mapped}”, who does not exist",
                    file=file,
                )
                return None
            self.authors[key] = author
            self.report.add("author", "unchanged")
            return author
        record = ImportedItem.objects.filter(
            source=self.source, kind=KIND_AUTHOR, wp_id=key
        ).first()
        author = Author.objects.filter(pk=record.object_id).first() if record else None
        if author is not None:
            self.authors[key] = author
            self.report.add("author", "unchanged")
            return author
        slug = self._free_slug(slugify(login)[:140] or slugify(name)[:140] or "author")
        author = author_save(author=Author(name=name[:150], slug=slug))
        ImportedItem.objects.update_or_create(
            source=self.source,
            kind=KIND_AUTHOR,
            wp_id=key,
            defaults={"object_id": author.pk},
        )
        self.authors[key] = author
        self.report.add("author", "created")
        return author

    @staticmethod
    def _free_slug(base: str) -> str:
        slug, number = base, 2
        while Author.objects.filter(slug=slug).exists():
            slug, number = f"{base}-{number}", number + 1
        return slug

    def bylines(self, logins: list[str]) -> tuple[list[Author], list[str]]:
        """Authors for these logins in order, and the logins we do not know."""
        found, unknown = [], []
        for login in logins:
            author = self.authors.get(login.lower())
            if author is None:
                author = self._author(login, login, file="")
            if author is None:
                unknown.append(login)
            elif author not in found:
                found.append(author)
        return found, unknown

    # Sections ---------------------------------------------------------------

    def category(self, values: dict) -> None:
        nicename = values["nicename"]
        self.categories[nicename] = values
        if values.get("term_id"):
            self.term_ids[values["term_id"]] = nicename

    def section(self, nicename: str | None, default_slug: str) -> Section:
        """The section for a category (made on first use), or the default."""
        key = nicename or default_slug
        if key in self.sections:
            return self.sections[key]
        name = term_name(self.categories.get(key, {}).get("name", "")) or (
            key.replace("-", " ").capitalize()
        )
        slug = slugify(key)[:100] or "imported"
        section = Section.objects.filter(slug=slug).first()
        if section is None:
            taken = Section.objects.filter(name__iexact=name[:100]).exists()
            section = section_save(
                section=Section(
                    slug=slug,
                    name=(f"{name} ({slug})" if taken else name)[:100],
                    position=100,
                )
            )
            self.report.add("section", "created")
        else:
            self.report.add("section", "unchanged")
        self.sections[key] = section
        return section
