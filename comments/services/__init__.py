"""
Every change to comments goes through here: the reader's view, the admin,
management commands and tests call the same functions, so each change has one
path and one audit trail. Each runs in a transaction; mail and page purges go
out only after it commits.

One module per concern; import the functions from ``comments.services``:

- ``posting``: a reader's comment, decided by the moderation rules;
- ``moderation``: a moderator's decision on one comment (approve, reject,
  spam, edit, delete) and repairing stored counts;
- ``reports``: readers' reports, weighed by the reader's record;
- ``bans``: banning a commenter, and bans made or lifted by hand;
- ``policy``: the moderation settings and watched words, saved by moderators;
- ``privacy``: a commenter's data exported or erased, reply emails stopped;
- ``imports``: many already-decided comments at once, for importers.

What a decision makes stale (counts, cached pages) is decided in ``_shared``
through ``comments.counts`` and ``articles.cache``, never here or by callers.
"""

from .bans import BanOutcome, ban_lift, ban_save, commenter_ban
from .imports import comment_bulk_create
from .moderation import (
    comment_approve,
    comment_counts_repair,
    comment_delete,
    comment_edit,
    comment_mark_spam,
    comment_reject,
    comment_set_status,
)
from .policy import (
    moderation_settings_save,
    moderation_word_delete,
    moderation_word_save,
)
from .posting import PostOutcome, comment_create
from .privacy import Erasure, commenter_erase, commenter_export, commenter_unsubscribe
from .reports import ReportOutcome, comment_report, number_text, reporter_weight

__all__ = [
    "BanOutcome",
    "Erasure",
    "PostOutcome",
    "ReportOutcome",
    "ban_lift",
    "ban_save",
    "comment_approve",
    "comment_bulk_create",
    "comment_counts_repair",
    "comment_create",
    "comment_delete",
    "comment_edit",
    "comment_mark_spam",
    "comment_reject",
    "comment_report",
    "comment_set_status",
    "commenter_ban",
    "commenter_erase",
    "commenter_export",
    "commenter_unsubscribe",
    "moderation_settings_save",
    "moderation_word_delete",
    "moderation_word_save",
    "number_text",
    "reporter_weight",
]
