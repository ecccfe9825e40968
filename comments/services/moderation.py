"""A moderator's decisions on one comment: its status, its words, its removal."""

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import counts
from ..models import AuditEntry, Comment, Report
from ._shared import (
    actor_fields,
    after_approval,
    announce_public,
    audit_entry,
    public_changed,
    purge_pages,
)


def comment_set_status(
    *,
    comment: Comment,
    status: str,
    actor: AbstractBaseUser | None,
    reason: str = "",
) -> bool:
    """A person's decision on one comment. Returns whether anything changed.

    Clears a report-hidden comment either way: approving brings it back into
    view, and its reports are dismissed; rejecting or marking it as spam
    upholds them. Deciding what is already decided changes nothing and is not
    logged.
    """
    if status not in Comment.Status.values:
        raise ValueError(f"Unknown comment status {status!r}.")
    with transaction.atomic():
        comment = Comment.objects.select_for_update().get(pk=comment.pk)
        open_reports = comment.reports.filter(outcome=Report.Outcome.OPEN)
        has_open_reports = open_reports.exists()
        if (
            comment.status == status
            and comment.hidden_at is None
            and not has_open_reports
        ):
            return False
        from_status = comment.status
        was_public = comment.is_public
        comment.status = status
        comment.hidden_at = None
        comment.reviewed_by = actor
        comment.reviewed_at = timezone.now()
        comment.save(
            update_fields=["status", "hidden_at", "reviewed_by", "reviewed_at"]
        )
        if was_public or comment.is_public:
            # Newly in view: the page's previous copy only lacks it.
            added = comment.is_public and not was_public
            public_changed(comment.article_id, added=added)
        if has_open_reports and status != Comment.Status.PENDING:
            open_reports.update(
                outcome=Report.Outcome.DISMISSED
                if status == Comment.Status.APPROVED
                else Report.Outcome.UPHELD
            )
        audit_entry(
            comment=comment,
            action=AuditEntry.Action.MODERATED,
            from_status=from_status,
            to_status=status,
            reason=reason,
            **actor_fields(actor),
        )
        if status == Comment.Status.APPROVED:
            after_approval(comment)
        if comment.is_public and not was_public:
            announce_public(comment)
    return True


def comment_approve(*, comment: Comment, actor, reason: str = "") -> bool:
    return comment_set_status(
        comment=comment, status=Comment.Status.APPROVED, actor=actor, reason=reason
    )


def comment_reject(*, comment: Comment, actor, reason: str = "") -> bool:
    return comment_set_status(
        comment=comment, status=Comment.Status.REJECTED, actor=actor, reason=reason
    )


def comment_mark_spam(*, comment: Comment, actor, reason: str = "") -> bool:
    return comment_set_status(
        comment=comment, status=Comment.Status.SPAM, actor=actor, reason=reason
    )


def comment_edit(*, comment: Comment, body: str, actor, reason: str = "") -> bool:
    """A moderator changes a comment's words (e.g. removes a phone number)."""
    body = body.strip()
    with transaction.atomic():
        comment = Comment.objects.select_for_update().get(pk=comment.pk)
        if comment.body == body:
            return False
        comment.body = body
        comment.save(update_fields=["body"])
        purge_pages(comment.article_id)
        audit_entry(
            comment=comment,
            action=AuditEntry.Action.EDITED,
            from_status=comment.status,
            to_status=comment.status,
            reason=reason,
            **actor_fields(actor),
        )
    return True


def comment_delete(*, comment: Comment, actor, reason: str = "") -> int:
    """Delete a comment and the replies under it; their history stays logged."""
    with transaction.atomic():
        doomed = [comment]
        level = [comment.pk]
        while level:
            replies = list(Comment.objects.filter(parent_id__in=level))
            doomed.extend(replies)
            level = [reply.pk for reply in replies]
        for item in doomed:
            audit_entry(
                comment=item,
                action=AuditEntry.Action.DELETED,
                from_status=item.status,
                reason=reason
                if item.pk == comment.pk
                else _("Reply under deleted comment %(id)d.") % {"id": comment.pk},
                **actor_fields(actor),
            )
        Comment.objects.filter(pk__in=[item.pk for item in doomed]).delete()
        public_changed(comment.article_id)
    return len(doomed)


def comment_counts_repair(*, dry_run: bool = False) -> list[tuple[int, int, int]]:
    """Put right every article whose stored comment count disagrees with its
    rows (after an import, a fixture, a hand edit). Returns (article id,
    stored, true count) for each one found; ``dry_run`` only reports."""
    wrong = counts.drifted()
    if wrong and not dry_run:
        ids = [pk for pk, _stored, _actual in wrong]
        for start in range(0, len(ids), 500):
            with transaction.atomic():
                public_changed(*ids[start : start + 500])
    return wrong
