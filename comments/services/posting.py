"""A reader posts a comment: the moderation rules decide, the decision is logged."""

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.cache import cache
from django.db import connection, transaction

from articles.services.rows import rows_insert

from .. import policy, tasks
from ..models import AuditEntry, Comment
from ..readers import address_block, short_digest
from ..rules import Decision, Submission, moderate
from ._shared import (
    after_approval,
    announce_public,
    audit_entry,
    parent_within_depth,
    public_comment_added,
)

# Refusals are logged, but a flood of them from one address is not: at most
# one entry per rule and address in this many seconds.
REFUSAL_LOG_SECONDS = 60


@dataclass(frozen=True)
class PostOutcome:
    decision: Decision
    comment: Comment | None = None


def comment_create(
    *,
    article,
    name: str,
    email: str,
    body: str,
    parent: Comment | None = None,
    notify_replies: bool = False,
    honeypot: str = "",
    ip: str | None = None,
    user_agent: str = "",
    user: AbstractBaseUser | None = None,
) -> PostOutcome:
    """Run the moderation rules on a reader's comment and store it if they allow.

    A refusal (closed, rate limit, duplicate) stores nothing and says why; any
    other decision stores the comment with the status the rule chose. Either
    way the decision is written to the audit log.
    """
    config = policy.current()
    email = email.strip().lower()
    submission = Submission(
        article=article,
        name=name.strip(),
        email=email,
        body=body,
        parent=parent,
        honeypot=honeypot,
        ip=ip,
    )
    decision = moderate(submission, config)
    if decision.refused:
        _log_refusal(decision=decision, submission=submission)
        return PostOutcome(decision=decision)

    with transaction.atomic():
        if settings.NEWSROOM_COMMENTS_ASYNC_COMMIT:
            _commit_without_waiting()
        parent = parent_within_depth(parent, settings.NEWSROOM_COMMENTS_MAX_DEPTH)
        comment = Comment(
            article=article,
            parent=parent,
            author_name=submission.name,
            author_email=email,
            body=body.strip(),
            status=decision.status,
            notify_replies=notify_replies,
            moderation_rule=decision.rule,
            moderation_reason=decision.reason[:255],
            ip_address=ip,
            user_agent=user_agent[:500],
            user=user if user is not None and user.is_authenticated else None,
        )
        # What save() would write (its own fields filled), in one plain
        # INSERT: the ORM's save cost about 0.2 ms of CPU a post.
        comment.fill_own_fields()
        rows_insert(Comment, [comment])
        audit_entry(
            comment=comment,
            action=AuditEntry.Action.DECIDED,
            rule=decision.rule,
            to_status=comment.status,
            reason=decision.reason,
        )
        if comment.status == Comment.Status.PENDING:
            transaction.on_commit(tasks.notify_moderators.enqueue, robust=True)
        elif comment.status == Comment.Status.APPROVED:
            after_approval(comment)
            public_comment_added(comment.article_id)
            announce_public(comment)
    return PostOutcome(decision=decision, comment=comment)


def _commit_without_waiting() -> None:
    """PostgreSQL: this transaction's commit does not wait for the disk
    (``COMMENTS_ASYNC_COMMIT``, off by default: see docs/comments.md)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")


def _log_refusal(*, decision: Decision, submission: Submission) -> None:
    subject = short_digest(
        address_block(submission.ip) if submission.ip else submission.email
    )
    key = f"comments:refusal-logged:{decision.rule}:{subject}"
    if cache.add(key, 1, timeout=REFUSAL_LOG_SECONDS):
        audit_entry(
            action=AuditEntry.Action.REFUSED,
            rule=decision.rule,
            article_id=submission.article.pk,
            commenter_email=submission.email,
            reason=decision.reason,
        )
