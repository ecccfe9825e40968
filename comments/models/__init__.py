from .audit import AuditEntry
from .comment import MAX_LENGTH, Comment, CommentQuerySet, public_filter
from .moderation import Ban, ModerationSettings, ModerationWord, email_digest
from .report import Report

__all__ = [
    "MAX_LENGTH",
    "AuditEntry",
    "Ban",
    "Comment",
    "CommentQuerySet",
    "ModerationSettings",
    "ModerationWord",
    "Report",
    "email_digest",
    "public_filter",
]
