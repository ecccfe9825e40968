"""
Every write of an article goes through here: the admin's form and buttons,
management commands, tests, and the importer and API to come.

Each service is atomic and does the whole write: it checks who may do it and
that the input is valid before writing anything, locks the row and compares
its version (``ArticleConflict`` when someone saved since the caller loaded
it), stores a new lead image with its renditions, saves the row and its parts,
records the old address of a piece that moved, refreshes the search vector
and, after commit, purges what the change made stale (``articles.cache``).
``Article.save()`` only fills the row's own fields.
"""

from collections.abc import Iterable
from datetime import datetime
from typing import Any

import reversion
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from articles.models import Article, Author
from articles.workflow import may_edit

from .bulk import after_write
from .transitions import apply_transition, record_transition
from .writes import Parts, SaveParts, build_parts, lock, write

# Moved only by a transition, never by editing.
STATE_FIELDS = frozenset({"status", "version", "first_published_at"})
# Checked with a query each; ``prepare_create(lookups=False)`` leaves them
# (and the slug) to its caller.
LOOKUP_FIELDS = ("section", "created_by", "last_edited_by")


def _set_fields(article: Article, fields: dict[str, Any]) -> None:
    forbidden = STATE_FIELDS & set(fields)
    if forbidden:
        raise ValidationError(
            _("Change the state with a transition, not by editing: %(fields)s")
            % {"fields": ", ".join(sorted(forbidden))}
        )
    for name, value in fields.items():
        setattr(article, name, value)


@transaction.atomic
def article_create(
    *,
    user,
    fields: dict[str, Any],
    bylines: Iterable[Author] | None = None,
    tags: Iterable | None = None,
    takeaways: Iterable | None = None,
    related: Iterable[Article] | None = None,
    article: Article | None = None,
    save_parts: SaveParts | None = None,
    action: str | None = None,
    publish_at: datetime | None = None,
    note: str = "",
) -> Article:
    """A new article from ``fields``, as a draft unless ``action`` moves it.

    ``bylines`` are authors in order, ``tags`` names or ``Tag`` objects,
    ``takeaways`` ``(label, text)`` pairs (or dicts) in order, ``related`` the
    editor's picks in order. ``article`` is an unsaved instance to start from
    (a ModelForm's); ``save_parts(article)`` saves parts the caller holds
    (the admin's inlines). Raises ``PermissionDenied`` or ``ValidationError``
    (keyed by field) before anything is written.
    """
    article, parts, comment, from_status, note = prepare_create(
        user=user,
        fields=fields,
        bylines=bylines,
        tags=tags,
        takeaways=takeaways,
        related=related,
        article=article,
        action=action,
        publish_at=publish_at,
        note=note,
    )
    with reversion.create_revision():
        reversion.set_user(user)
        reversion.set_comment(comment)
        write(article, before=None, parts=parts, save_parts=save_parts)
    if action is not None:
        record_transition(article, user=user, from_status=from_status, note=note)
    return article


def prepare_create(
    *,
    user,
    fields: dict[str, Any],
    bylines: Iterable[Author] | None = None,
    tags: Iterable | None = None,
    takeaways: Iterable | None = None,
    related: Iterable[Article] | None = None,
    article: Article | None = None,
    action: str | None = None,
    publish_at: datetime | None = None,
    note: str = "",
    lookups: bool = True,
) -> tuple[Article, Parts, str, str, str]:
    """Every check of ``article_create``, nothing written: the unsaved article
    (its transition made), its parts, the revision comment, the status it
    comes from and the note. ``article_create_many`` checks with it too,
    with ``lookups=False``: the checks that query (``LOOKUP_FIELDS``, the
    slug) it makes for all its rows at once."""
    if not user.has_perm("articles.add_article"):
        raise PermissionDenied(_("You may not write articles."))
    article = article or Article()
    _set_fields(article, fields)
    article.created_by = article.last_edited_by = user
    comment = str(_("Created"))
    from_status = article.status
    note = note.strip()
    if action is not None:
        comment, from_status = apply_transition(
            article, user=user, action=action, publish_at=publish_at, note=note
        )
    if lookups:
        article.full_clean(exclude=["version"])
    else:
        _clean_in_memory(article)
    parts = build_parts(
        article, bylines=bylines, tags=tags, takeaways=takeaways, related=related
    )
    return article, parts, comment, from_status, note


def _clean_in_memory(article: Article) -> None:
    """``full_clean`` without a query: every field but the foreign keys, and
    ``clean()`` but its slug look-up. The caller checks the rest for many rows
    at once; the database's own constraints hold at the INSERT."""
    errors: dict = {}
    for check in (
        lambda: article.clean_fields(exclude=["version", *LOOKUP_FIELDS]),
        article.clean_without_lookups,
    ):
        try:
            check()
        except ValidationError as error:
            errors = error.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def article_update(
    *,
    article: Article,
    user,
    expected_version: int | None,
    fields: dict[str, Any] | None = None,
    bylines: Iterable[Author] | None = None,
    tags: Iterable | None = None,
    takeaways: Iterable | None = None,
    related: Iterable[Article] | None = None,
    save_parts: SaveParts | None = None,
    action: str | None = None,
    publish_at: datetime | None = None,
    note: str = "",
) -> Article:
    """Edit an article's fields and parts, with the conflict check.

    Parts given replace the ones it has (see ``article_create``); parts left
    out stay. A change of state goes through ``action`` (a transition's name),
    in the same write. Raises ``PermissionDenied``, ``ValidationError`` or
    ``ArticleConflict`` before anything is written.
    """
    if not may_edit(user, article):
        raise PermissionDenied(_("You may not edit this article."))
    _set_fields(article, fields or {})
    comment, from_status = str(_("Edited")), article.status
    note = note.strip()
    if action is not None:
        comment, from_status = apply_transition(
            article, user=user, action=action, publish_at=publish_at, note=note
        )
    article.last_edited_by = user
    article.full_clean(exclude=["version"])
    parts = build_parts(
        article, bylines=bylines, tags=tags, takeaways=takeaways, related=related
    )
    before = lock(
        article,
        expected_version,
        lists=parts.moves_lists or save_parts is not None,
    )
    with reversion.create_revision():
        reversion.set_user(user)
        reversion.set_comment(comment)
        write(article, before=before, parts=parts, save_parts=save_parts)
    if action is not None:
        record_transition(article, user=user, from_status=from_status, note=note)
    return article


@transaction.atomic
def article_delete(*, article: Article, user) -> None:
    """Delete ``article`` with its parts; the lists it was on are purged."""
    if not user.has_perm("articles.delete_article"):
        raise PermissionDenied(_("You may not delete articles."))
    before = lock(article, None, lists=True, check=False)
    article_id = article.pk
    article.delete()
    # The purge names the piece by id; delete() has cleared it.
    article.pk = article_id
    after_write(
        article,
        purge=True,
        search=False,
        old_tag_ids=before.tag_ids,
        old_author_ids=before.author_ids,
    )
    article.pk = None
