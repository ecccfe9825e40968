"""
Many comments at once, already decided elsewhere: the path for importers.

``comment_bulk_create`` stores comments whose status another system decided
(a WordPress import, a migration): the moderation rules do not run, no mail
goes out (no reply emails about old replies, no alert for held ones: they
wait in the queue), and the rows go in with one INSERT per thread level (and
per 500 rows) rather than one per comment. What every writer owes still
happens: the derived fields ``save()`` would fill, an audit entry per comment,
and, once for the whole batch, the stored counts of the articles touched and
one purge of their pages after the transaction commits.

The audit entry is written per comment, not per batch: the log is read per
comment (its history in the admin) and per commenter (export and erasure find
entries by address), so a batch entry would leave imported comments without
a history. They are inserted in bulk too, so they cost a query per 500.
"""

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from articles.services.rows import rows_insert

from ..models import AuditEntry, Comment
from ._shared import actor_fields, parent_within_depth, public_changed

IMPORT_RULE = "import"
BATCH_SIZE = 500

# Checked by the service, not by Comment.clean_fields (which would query for each).
RELATIONS = ["article", "parent", "root", "user", "reviewed_by"]


def comment_bulk_create(
    *,
    comments: list[Comment],
    actor: AbstractBaseUser | None = None,
    via: str = "",
) -> list[Comment]:
    """Store many new, already-decided comments in one transaction.

    ``comments`` are unsaved ``Comment`` objects with their article, text,
    commenter and ``status`` (and ``created_at``, kept if given) set. A reply
    names its parent either as a stored comment or as an object earlier in
    the list: parents first. A reply deeper than the site allows joins the
    deepest allowed level, as a posted one does.

    Every row is checked before anything is written; any bad row raises a
    ``ValidationError`` listing each problem by row number (from 1), and
    nothing is stored. Returns the comments, now with their ids.
    """
    comments = list(comments)
    if not comments:
        return []
    with transaction.atomic():
        parents = _checked_parents(comments)
        waves = _thread_levels(comments, parents)
        for wave in waves:
            for comment in wave:
                comment.parent = comment.parent  # the parent's id, now it has one
                comment.fill_own_fields()
            # A date given is kept (auto_now_add stamps the others with now).
            rows_insert(Comment, wave, keep_given=("created_at",))
        reason = _("Imported as decided; the moderation rules did not run.")
        actor_data = actor_fields(actor, via)
        rows_insert(
            AuditEntry,
            [
                AuditEntry(
                    action=AuditEntry.Action.DECIDED,
                    rule=IMPORT_RULE,
                    comment_id=comment.pk,
                    article_id=comment.article_id,
                    commenter_email=comment.author_email,
                    to_status=comment.status,
                    reason=reason,
                    **actor_data,
                )
                for comment in comments
            ],
        )
        public_changed(*{comment.article_id for comment in comments}, added=True)
    return comments


def _checked_parents(comments: list[Comment]) -> list[Comment | None]:
    """Each row's parent, from the batch or the database; or every problem."""
    parent_field = Comment._meta.get_field("parent")
    stored = Comment.objects.in_bulk(
        {
            comment.parent_id
            for comment in comments
            if comment.parent_id is not None and comment.pk is None
        }
    )
    rows: dict[int, int] = {}  # id() of each object in the batch: its row
    parents, errors = [], []
    for row, comment in enumerate(comments, start=1):

        def refuse(message, row=row):
            errors.append(_("Row %(row)d: %(error)s") % {"row": row, "error": message})

        parent = None
        if comment.pk is not None or id(comment) in rows:
            refuse(_("this comment is already stored."))
        elif comment.parent_id is not None:
            parent = stored.get(comment.parent_id)
            if parent is None:
                refuse(
                    _("it replies to comment %(id)s, which does not exist.")
                    % {"id": comment.parent_id}
                )
        elif parent_field.is_cached(comment) and comment.parent is not None:
            parent = comment.parent
            if id(parent) not in rows:
                parent = None
                refuse(
                    _(
                        "it replies to a comment that is neither stored nor "
                        "earlier in the batch (parents come first)."
                    )
                )
        if comment.article_id is None:
            refuse(_("it has no article."))
        elif parent is not None and parent.article_id != comment.article_id:
            refuse(_("it replies to a comment on another article."))
        comment.author_email = comment.author_email.strip().lower()
        try:
            comment.clean_fields(exclude=RELATIONS)
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                for message in messages:
                    refuse(f"{name}: {message}")
        rows[id(comment)] = row
        parents.append(parent)
    if errors:
        raise ValidationError(errors)
    return parents


def _thread_levels(
    comments: list[Comment], parents: list[Comment | None]
) -> list[list[Comment]]:
    """The batch in waves to insert: replies to stored comments (or none)
    first, then replies to those, and so on; each wave one bulk INSERT."""
    level: dict[int, int] = {}
    waves: list[list[Comment]] = []
    max_depth = settings.NEWSROOM_COMMENTS_MAX_DEPTH
    for comment, parent in zip(comments, parents, strict=True):
        parent = parent_within_depth(parent, max_depth)
        comment.parent = parent
        comment.depth = 1 if parent is None else parent.depth + 1
        wave = 0 if parent is None or parent.pk else level[id(parent)] + 1
        level[id(comment)] = wave
        if wave == len(waves):
            waves.append([])
        waves[wave].append(comment)
    return waves
