"""A commenter's personal data: exported, erased, and no more reply emails."""

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import AuditEntry, Ban, Comment, email_digest
from ._shared import actor_fields, audit_entry, purge_pages


def commenter_export(*, email: str, actor=None, via: str = "") -> dict:
    """Everything stored about an email address, as plain data for JSON."""
    email = email.strip().lower()
    comments = Comment.objects.by_email(email).select_related("article")
    bans = Ban.objects.filter(
        kind=Ban.Kind.EMAIL, value__in=[email, email_digest(email)]
    )
    audit = AuditEntry.objects.for_email(email)
    data = {
        "email": email,
        "exported_at": timezone.now().isoformat(),
        "comments": [
            {
                "id": comment.pk,
                "article": {
                    "id": comment.article_id,
                    "headline": comment.article.headline,
                    "url": comment.article.get_absolute_url(),
                },
                "in_reply_to": comment.parent_id,
                "name": comment.author_name,
                "email": comment.author_email,
                "text": comment.body,
                "status": comment.status,
                "hidden_by_reports": comment.hidden_at is not None,
                "email_on_replies": comment.notify_replies,
                "ip_address": comment.ip_address,
                "user_agent": comment.user_agent,
                "created_at": comment.created_at.isoformat(),
            }
            for comment in comments
        ],
        "bans": [
            {
                "kind": ban.kind,
                "reason": ban.reason,
                "created_at": ban.created_at.isoformat(),
                "expires_at": ban.expires_at.isoformat() if ban.expires_at else None,
            }
            for ban in bans
        ],
        "moderation_log": [
            {
                "when": entry.created_at.isoformat(),
                "action": entry.action,
                "rule": entry.rule,
                "comment_id": entry.comment_id,
                "from_status": entry.from_status,
                "to_status": entry.to_status,
                "reason": entry.reason,
            }
            for entry in audit
        ],
    }
    audit_entry(
        action=AuditEntry.Action.EXPORTED,
        commenter_email=email,
        reason=_("Exported %(count)d comments.") % {"count": len(data["comments"])},
        **actor_fields(actor, via),
    )
    return data


@dataclass(frozen=True)
class Erasure:
    comments: int
    log_entries: int
    bans: int


def commenter_erase(*, email: str, actor=None, via: str = "") -> Erasure:
    """Forget an email address: comments anonymised, personal data removed.

    Comment texts stay (anonymised, under "Former reader"); the audit log
    keeps every decision without the address; an email ban stays in force as
    a digest of the address, so erasure is not a way around it.
    """
    email = email.strip().lower()
    with transaction.atomic():
        comments = Comment.objects.by_email(email)
        ids = list(comments.values_list("pk", flat=True))
        purge_pages(*set(comments.values_list("article_id", flat=True)))
        comments.update(
            author_name="",
            author_email="",
            ip_address=None,
            user_agent="",
            user=None,
            notify_replies=False,
            erased_at=timezone.now(),
        )
        log_entries = AuditEntry.objects.filter(
            Q(commenter_email__iexact=email) | Q(comment_id__in=ids)
        ).erase_personal_data()
        digest = email_digest(email)
        bans = Ban.objects.filter(kind=Ban.Kind.EMAIL, value=email)
        ban_count = bans.count()
        if Ban.objects.filter(kind=Ban.Kind.EMAIL, value=digest).exists():
            bans.delete()
        else:
            bans.update(value=digest)
        audit_entry(
            action=AuditEntry.Action.ERASED,
            reason=_(
                "Erased at the commenter's request: %(comments)d comments "
                "anonymised, %(entries)d log entries cleared, %(bans)d bans kept "
                "as a digest."
            )
            % {"comments": len(ids), "entries": log_entries, "bans": ban_count},
            **actor_fields(actor, via),
        )
    return Erasure(comments=len(ids), log_entries=log_entries, bans=ban_count)


def commenter_unsubscribe(*, comment: Comment) -> int:
    """Stop reply emails for every comment from this comment's author."""
    with transaction.atomic():
        same_author = Q(pk=comment.pk)
        if comment.author_email:
            same_author |= Q(author_email=comment.author_email)
        return Comment.objects.filter(same_author, notify_replies=True).update(
            notify_replies=False
        )
