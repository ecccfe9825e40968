"""
Autosaves: the editor's unsaved form, kept on the server while they type.

An autosave is a copy of the form's fields, one row per editor and article
(or per editor and unsaved draft), overwritten every time. It writes nothing
to the article: no revision, no version bump, no purge, so it never takes
part in the edit-conflict check. Restoring one only fills the form; the
editor's normal save then goes through ``article_update`` and its check.
"""

import json
import re
from datetime import timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from articles.models import Article, Autosave
from articles.workflow import may_edit

# A form with a long body is some tens of kilobytes; this leaves room for a
# very long piece, and refuses what no editor's form would send.
MAX_BYTES = 512 * 1024
DRAFT_KEY = re.compile(r"^[A-Za-z0-9-]{8,40}$")
# An autosave nobody came back to in this long is dropped, so tabs closed on
# new articles do not pile up.
KEEP_DAYS = 30


class AutosaveTooLarge(ValidationError):
    pass


def _check(*, user, article: Article | None, draft_key: str) -> None:
    if article is not None:
        if not may_edit(user, article):
            raise PermissionDenied(_("You may not edit this article."))
    elif not user.has_perm("articles.add_article"):
        raise PermissionDenied(_("You may not write articles."))
    elif not DRAFT_KEY.match(draft_key or ""):
        raise ValidationError(_("An unsaved article needs a draft id."))


@transaction.atomic
def autosave_store(
    *,
    user,
    data: dict[str, Any],
    article: Article | None = None,
    draft_key: str = "",
    base_version: int | None = None,
) -> Autosave:
    """Keep ``data`` (the form's fields by name) as this editor's autosave."""
    _check(user=user, article=article, draft_key=draft_key)
    if not isinstance(data, dict):
        raise ValidationError(_("An autosave is the form's fields by name."))
    size = len(json.dumps(data).encode())
    if size > MAX_BYTES:
        raise AutosaveTooLarge(
            _(
                "This draft is too large to autosave (%(size)d KB, at most "
                "%(max)d KB). Save the article to keep your work."
            )
            % {"size": size // 1024, "max": MAX_BYTES // 1024}
        )
    key = {"article": article, "user": user}
    if article is None:
        key["draft_key"] = draft_key
    now = timezone.now()
    autosave, created = Autosave.objects.update_or_create(
        **key,
        defaults={
            "data": data,
            "base_version": base_version if article is not None else None,
            "saved_at": now,
        },
    )
    if created:
        # Only when a row is added (not on every beat): one DELETE.
        Autosave.objects.filter(
            user=user, saved_at__lt=now - timedelta(days=KEEP_DAYS)
        ).delete()
    return autosave


@transaction.atomic
def autosave_discard(
    *, user, article: Article | None = None, draft_key: str = ""
) -> int:
    """Forget this editor's autosave of ``article`` (or of an unsaved draft)."""
    if article is not None:
        rows = Autosave.objects.filter(article=article, user=user)
    elif draft_key:
        rows = Autosave.objects.filter(article=None, user=user, draft_key=draft_key)
    else:
        return 0
    deleted, _rows = rows.delete()
    return deleted
