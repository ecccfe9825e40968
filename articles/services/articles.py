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

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import reversion
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from articles.models import (
    Article,
    ArticleAuthor,
    ArticleConflict,
    ArticlePath,
    ArticleTransition,
    Author,
    KeyTakeaway,
    RelatedArticle,
    TaggedArticle,
)
from articles.workflow import TRANSITIONS, may_edit, may_transition

from .bulk import after_write

# Moved only by a transition, never by editing.
STATE_FIELDS = frozenset({"status", "version", "first_published_at"})
BEFORE_FIELDS = (
    "version",
    "slug",
    "publish_at",
    "created_at",
    "first_published_at",
    "section_id",
)

SaveParts = Callable[[Article], None]


@dataclass
class _Before:
    """What the piece was before this write: for the old address and the purge."""

    row: dict = field(default_factory=dict)
    tag_ids: list[int] = field(default_factory=list)
    author_ids: list[int] = field(default_factory=list)


@dataclass
class _Parts:
    """Bylines, tags, takeaways and editor's picks to replace, checked first."""

    bylines: list[ArticleAuthor] | None = None
    tags: list | None = None
    takeaways: list[KeyTakeaway] | None = None
    related: list[RelatedArticle] | None = None

    @property
    def given(self) -> bool:
        return any(
            value is not None
            for value in (self.bylines, self.tags, self.takeaways, self.related)
        )

    @property
    def moves_lists(self) -> bool:
        """Whether the piece may join or leave a tag's or author's list."""
        return self.bylines is not None or self.tags is not None


def _parts(
    article: Article,
    *,
    bylines: Iterable[Author] | None,
    tags: Iterable | None,
    takeaways: Iterable | None,
    related: Iterable[Article] | None,
) -> _Parts:
    """Build and validate the parts; ``ValidationError`` names the bad one."""
    parts = _Parts()
    if bylines is not None:
        parts.bylines = [
            ArticleAuthor(author=author, position=position)
            for position, author in enumerate(bylines)
        ]
        authors = [byline.author_id for byline in parts.bylines]
        if len(set(authors)) != len(authors):
            raise ValidationError({"bylines": _("Name each author once.")})
    if tags is not None:
        parts.tags = list(tags)
        too_long = [t for t in parts.tags if isinstance(t, str) and len(t) > 100]
        if too_long:
            raise ValidationError(
                {
                    "tags": _(
                        "A tag may be at most 100 characters: “%(tag)s” is longer."
                    )
                    % {"tag": too_long[0]}
                }
            )
    if takeaways is not None:
        parts.takeaways = []
        for position, item in enumerate(takeaways):
            label, text = (
                (item["label"], item["text"]) if isinstance(item, dict) else item
            )
            takeaway = KeyTakeaway(position=position, label=label, text=text)
            takeaway.full_clean(exclude=["article"])
            parts.takeaways.append(takeaway)
    if related is not None:
        parts.related = [
            RelatedArticle(to_article=pick, position=position)
            for position, pick in enumerate(related)
        ]
        if article.pk is not None and any(
            link.to_article_id == article.pk for link in parts.related
        ):
            raise ValidationError(
                {"related": _("An article cannot be related to itself.")}
            )
    return parts


def _save_parts(article: Article, parts: _Parts) -> None:
    for rows, model in (
        (parts.bylines, ArticleAuthor),
        (parts.takeaways, KeyTakeaway),
    ):
        if rows is None:
            continue
        model.objects.filter(article=article).delete()
        for row in rows:
            row.article = article
        model.objects.bulk_create(rows)
    if parts.related is not None:
        RelatedArticle.objects.filter(from_article=article).delete()
        for link in parts.related:
            link.from_article = article
        RelatedArticle.objects.bulk_create(parts.related)
    if parts.tags is not None:
        article.tags.set(parts.tags)


def _lock(
    article: Article,
    expected_version: int | None,
    *,
    lists: bool = False,
    check: bool = True,
) -> _Before:
    """Lock the row; refuse a copy older than it; read what the write changes.

    ``expected_version`` is the version the editor opened; without it, the
    version ``article`` was loaded at. ``lists``: also the tags and authors
    it carries now, when the write may take it off their lists.
    """
    row = (
        Article.objects.select_for_update()
        .filter(pk=article.pk)
        .values(*BEFORE_FIELDS)
        .first()
    )
    if row is None:
        raise Article.DoesNotExist(f"Article {article.pk} no longer exists.")
    expected = article.version if expected_version is None else expected_version
    if check and row["version"] != expected:
        raise ArticleConflict(article)
    before = _Before(row=row)
    if lists:
        before.tag_ids = list(
            TaggedArticle.objects.filter(content_object=article).values_list(
                "tag_id", flat=True
            )
        )
        before.author_ids = list(
            ArticleAuthor.objects.filter(article=article).values_list(
                "author_id", flat=True
            )
        )
    article.version = row["version"] + 1
    return before


def _write(
    article: Article,
    *,
    before: _Before | None,
    parts: _Parts | None = None,
    save_parts: SaveParts | None = None,
) -> None:
    """Store the image, save the row and its parts, then the derived data."""
    renditions = article.store_lead_image()
    try:
        if before is None:
            article.save()
        else:
            article.save(update_fields=[*Article.content_fields(), "version"])
        if parts is not None:
            _save_parts(article, parts)
        if save_parts is not None:
            save_parts(article)
    except BaseException:
        article.discard_lead_image(renditions)
        raise
    if before is not None:
        _record_old_path(article, before.row)
    after_write(
        article,
        # A draft that was never out is on no public page.
        purge=article.first_published_at is not None
        or article.status != Article.Status.DRAFT,
        old_section_id=(
            before.row["section_id"]
            if before is not None and before.row["section_id"] != article.section_id
            else None
        ),
        old_tag_ids=before.tag_ids if before else (),
        old_author_ids=before.author_ids if before else (),
    )


def _record_old_path(article: Article, row: dict) -> None:
    """A published piece whose address changed: its old one answers 301."""
    old = article.old_url(row)
    current = article.get_absolute_url()
    if not old or old == current:
        return  # the address did not change: nothing to record or revive
    # Coming back to an address it had makes that address live again.
    ArticlePath.objects.filter(article=article, path=current).delete()
    ArticlePath.objects.get_or_create(path=old, defaults={"article": article})


# Transitions -------------------------------------------------------------------------


def _apply_transition(
    article: Article,
    *,
    user,
    action: str,
    publish_at: datetime | None,
    note: str,
) -> tuple[str, str]:
    """Check the move and make it on ``article`` (not saved); its revision
    comment and the status it comes from."""
    transition = TRANSITIONS.get(action)
    if transition is None or not may_transition(user, article, action):
        raise PermissionDenied(_("You may not do that to this article."))
    if transition.needs_note and not note:
        raise ValidationError(
            {"note": _("Say why, in a few words; the note is kept with the piece.")}
        )
    now = timezone.now()
    if action == "schedule":
        if publish_at is None or publish_at <= now:
            raise ValidationError(
                {"publish_at": _("Choose a time in the future to schedule the piece.")}
            )
        article.publish_at = publish_at
    elif action in ("publish", "restore"):
        if article.publish_at is None or article.publish_at > now:
            article.publish_at = now
    elif transition.target == Article.Status.DRAFT and article.is_scheduled:
        # Unscheduling: the planned time no longer holds.
        article.publish_at = None
    from_status = article.status
    article.status = transition.target
    return str(transition.label) + (f": {note}" if note else ""), from_status


def _record_transition(article: Article, *, user, from_status: str, note: str):
    ArticleTransition.objects.create(
        article=article,
        from_status=from_status,
        to_status=article.status,
        publish_at=article.publish_at,
        user=user,
        note=note,
    )


@transaction.atomic
def article_transition(
    *,
    article: Article,
    user,
    action: str,
    publish_at: datetime | None = None,
    note: str = "",
    expected_version: int | None = None,
) -> Article:
    """Move ``article`` by the named transition, or refuse.

    Raises ``PermissionDenied`` when the user may not press this button on this
    article, ``ValidationError`` (with a reader-friendly message) when the
    request is incomplete, and ``ArticleConflict`` when someone saved the
    article since ``expected_version`` (or since ``article`` was loaded);
    nothing is written in any of these.
    """
    note = note.strip()
    comment, from_status = _apply_transition(
        article, user=user, action=action, publish_at=publish_at, note=note
    )
    before = _lock(article, expected_version)
    article.last_edited_by = user
    with reversion.create_revision():
        # Nested in the admin's own revision when called from a form save.
        reversion.set_user(user)
        reversion.set_comment(comment)
        _write(article, before=before)
    _record_transition(article, user=user, from_status=from_status, note=note)
    return article


def article_submit(*, article: Article, user, **kwargs) -> Article:
    return article_transition(article=article, user=user, action="submit", **kwargs)


def article_return_to_draft(*, article: Article, user, note: str, **kwargs) -> Article:
    return article_transition(
        article=article, user=user, action="return_to_draft", note=note, **kwargs
    )


def article_publish(*, article: Article, user, **kwargs) -> Article:
    return article_transition(article=article, user=user, action="publish", **kwargs)


def article_schedule(
    *, article: Article, user, publish_at: datetime, **kwargs
) -> Article:
    return article_transition(
        article=article, user=user, action="schedule", publish_at=publish_at, **kwargs
    )


def article_unpublish(*, article: Article, user, note: str, **kwargs) -> Article:
    return article_transition(
        article=article, user=user, action="unpublish", note=note, **kwargs
    )


def article_withdraw(*, article: Article, user, note: str, **kwargs) -> Article:
    return article_transition(
        article=article, user=user, action="withdraw", note=note, **kwargs
    )


def article_restore(*, article: Article, user, **kwargs) -> Article:
    return article_transition(article=article, user=user, action="restore", **kwargs)


# Create, edit, delete --------------------------------------------------------------


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
    if not user.has_perm("articles.add_article"):
        raise PermissionDenied(_("You may not write articles."))
    article = article or Article()
    _set_fields(article, fields)
    article.created_by = article.last_edited_by = user
    comment = str(_("Created"))
    from_status = article.status
    note = note.strip()
    if action is not None:
        comment, from_status = _apply_transition(
            article, user=user, action=action, publish_at=publish_at, note=note
        )
    article.full_clean(exclude=["version"])
    parts = _parts(
        article, bylines=bylines, tags=tags, takeaways=takeaways, related=related
    )
    with reversion.create_revision():
        reversion.set_user(user)
        reversion.set_comment(comment)
        _write(article, before=None, parts=parts, save_parts=save_parts)
    if action is not None:
        _record_transition(article, user=user, from_status=from_status, note=note)
    return article


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
        comment, from_status = _apply_transition(
            article, user=user, action=action, publish_at=publish_at, note=note
        )
    article.last_edited_by = user
    article.full_clean(exclude=["version"])
    parts = _parts(
        article, bylines=bylines, tags=tags, takeaways=takeaways, related=related
    )
    before = _lock(
        article,
        expected_version,
        lists=parts.moves_lists or save_parts is not None,
    )
    with reversion.create_revision():
        reversion.set_user(user)
        reversion.set_comment(comment)
        _write(article, before=before, parts=parts, save_parts=save_parts)
    if action is not None:
        _record_transition(article, user=user, from_status=from_status, note=note)
    return article


@transaction.atomic
def article_delete(*, article: Article, user) -> None:
    """Delete ``article`` with its parts; the lists it was on are purged."""
    if not user.has_perm("articles.delete_article"):
        raise PermissionDenied(_("You may not delete articles."))
    before = _lock(article, None, lists=True, check=False)
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
