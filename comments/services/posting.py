"""A reader posts a comment: the moderation rules decide, the decision is logged."""

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.cache import cache
from django.db import connection, transaction

from articles.services.rows import row_values, rows_insert

from .. import counts, policy, tasks
from ..models import AuditEntry, Comment
from ..readers import address_block, short_digest
from ..rules import Decision, Submission, moderate
from ._shared import (
    after_approval,
    announce_public,
    audit_entry,
    audit_row,
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
        # What save() would write (its own fields filled).
        comment.fill_own_fields()
        counted = _store(
            comment,
            action=AuditEntry.Action.DECIDED,
            rule=decision.rule,
            to_status=comment.status,
            reason=decision.reason,
        )
        if comment.status == Comment.Status.PENDING:
            transaction.on_commit(tasks.notify_moderators.enqueue, robust=True)
        elif comment.status == Comment.Status.APPROVED:
            after_approval(comment)
            public_comment_added(comment.article_id, counted=counted)
            announce_public(comment)
    return PostOutcome(decision=decision, comment=comment)


def _store(comment: Comment, **audit) -> bool:
    """Write the new ``comment`` and its audit entry; whether one was also
    added to the article's stored count (an approved comment, PostgreSQL).

    Each row as ``save()`` and ``audit_entry`` would write it, as a plain
    INSERT (the ORM's save cost about 0.2 ms of CPU a post). On PostgreSQL
    the comment, its entry and the count are one statement (``WITH``): one
    round trip to the database where there were three. SQLite has no writes
    in ``WITH``: there, two INSERTs, and the count is the caller's."""
    if connection.vendor != "postgresql":
        rows_insert(Comment, [comment])
        audit_entry(comment=comment, **audit)
        return False
    # Its comment_id is the new comment's, taken from the INSERT below.
    entry = audit_row(comment=comment, **audit)
    quote = connection.ops.quote_name
    written = row_values(comment, connection)
    logged = row_values(entry, connection)
    link = quote(AuditEntry._meta.get_field("comment_id").column)
    statement = (
        f"WITH new AS (INSERT INTO {quote(Comment._meta.db_table)} "
        f"({', '.join(column for column, _ in written)}) "
        f"VALUES ({', '.join(['%s'] * len(written))}) RETURNING id), "
        f"logged AS (INSERT INTO {quote(AuditEntry._meta.db_table)} "
        f"({', '.join(column for column, _ in logged)}) SELECT "
        + ", ".join("new.id" if column == link else "%s" for column, _ in logged)
        + " FROM new)"
    )
    params = [value for _, value in written]
    params += [value for column, value in logged if column != link]
    counted = comment.status == Comment.Status.APPROVED
    if counted:
        count, count_params = counts.new_comment_sql(comment.article_id)
        statement += f", counted AS ({count})"
        params += count_params
    with connection.cursor() as cursor:
        cursor.execute(statement + " SELECT id FROM new", params)
        (comment.pk,) = cursor.fetchone()
    comment._state.adding = False
    comment._state.db = connection.alias
    return counted


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
