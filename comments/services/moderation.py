"""
Every change to comments goes through here: the reader's view, the admin,
management commands and tests call the same functions, so each change has one
path and one audit trail. Each runs in a transaction; mail goes out only after
it commits.
"""

from dataclasses import dataclass, field
from decimal import Decimal
from functools import partial

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from articles.cache import comments_changed

from .. import counts, notifications, ratelimit
from ..models import (
    AuditEntry,
    Ban,
    Comment,
    ModerationSettings,
    Report,
    email_digest,
)
from ..readers import address_block, short_digest
from ..rules import Decision, Submission, moderate

# A report's weight: 1 for a reader with no record, half a point more for each
# earlier report a moderator upheld and half a point less for each dismissed.
REPORT_WEIGHT_NEW = Decimal("1")
REPORT_WEIGHT_STEP = Decimal("0.5")
REPORT_WEIGHT_MIN = Decimal("0.25")
REPORT_WEIGHT_MAX = Decimal("3")

# Refusals are logged, but a flood of them from one address is not: at most
# one entry per rule and address in this many seconds.
REFUSAL_LOG_SECONDS = 60


def _purge_pages(*article_ids: int) -> None:
    """The cached pages that show these articles' comments, after commit."""
    comments_changed(*article_ids)


def _public_changed(*article_ids: int) -> None:
    """What readers see under these articles changed: store the new counts
    in this transaction, and purge the cached pages after it commits."""
    counts.recount(*article_ids)
    _purge_pages(*article_ids)


def _actor_fields(actor: AbstractBaseUser | None, via: str = "") -> dict:
    if actor is None:
        return {"actor": None, "actor_name": via}
    return {"actor": actor, "actor_name": actor.get_username()}


def _audit(*, comment: Comment | None = None, **fields) -> AuditEntry:
    if comment is not None:
        fields.setdefault("comment_id", comment.pk)
        fields.setdefault("article_id", comment.article_id)
        fields.setdefault("commenter_email", comment.author_email)
    return AuditEntry.objects.create(**fields)


# Posting ---------------------------------------------------------------------


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
    config = ModerationSettings.load()
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
        parent = _parent_within_depth(parent, settings.NEWSROOM_COMMENTS_MAX_DEPTH)
        comment = Comment.objects.create(
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
        _audit(
            comment=comment,
            action=AuditEntry.Action.DECIDED,
            rule=decision.rule,
            to_status=comment.status,
            reason=decision.reason,
        )
        if comment.status == Comment.Status.PENDING:
            transaction.on_commit(notifications.notify_moderators)
        elif comment.status == Comment.Status.APPROVED:
            _after_approval(comment)
            _public_changed(comment.article_id)
    return PostOutcome(decision=decision, comment=comment)


def comment_counts_repair(*, dry_run: bool = False) -> list[tuple[int, int, int]]:
    """Put right every article whose stored comment count disagrees with its
    rows (after an import, a fixture, a hand edit). Returns (article id,
    stored, true count) for each one found; ``dry_run`` only reports."""
    wrong = counts.drifted()
    if wrong and not dry_run:
        ids = [pk for pk, _stored, _actual in wrong]
        for start in range(0, len(ids), 500):
            with transaction.atomic():
                _public_changed(*ids[start : start + 500])
    return wrong


def _parent_within_depth(parent: Comment | None, max_depth: int) -> Comment | None:
    """A reply deeper than the site allows joins the deepest allowed level."""
    while parent is not None and parent.depth >= max_depth:
        parent = parent.parent
    return parent


def _log_refusal(*, decision: Decision, submission: Submission) -> None:
    subject = short_digest(
        address_block(submission.ip) if submission.ip else submission.email
    )
    key = f"comments:refusal-logged:{decision.rule}:{subject}"
    if cache.add(key, 1, timeout=REFUSAL_LOG_SECONDS):
        _audit(
            action=AuditEntry.Action.REFUSED,
            rule=decision.rule,
            article_id=submission.article.pk,
            commenter_email=submission.email,
            reason=decision.reason,
        )


def _after_approval(comment: Comment) -> None:
    """A newly approved reply may owe its parent's author an email."""
    parent = comment.parent
    if (
        parent is None
        or not parent.notify_replies
        or not parent.author_email
        or parent.author_email == comment.author_email
        or comment.reply_notified_at is not None
    ):
        return
    comment.reply_notified_at = timezone.now()
    comment.save(update_fields=["reply_notified_at"])
    transaction.on_commit(partial(notifications.notify_reply, comment.pk))


# Moderators' decisions -------------------------------------------------------


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
            _public_changed(comment.article_id)
        if has_open_reports and status != Comment.Status.PENDING:
            open_reports.update(
                outcome=Report.Outcome.DISMISSED
                if status == Comment.Status.APPROVED
                else Report.Outcome.UPHELD
            )
        _audit(
            comment=comment,
            action=AuditEntry.Action.MODERATED,
            from_status=from_status,
            to_status=status,
            reason=reason,
            **_actor_fields(actor),
        )
        if status == Comment.Status.APPROVED:
            _after_approval(comment)
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
        _purge_pages(comment.article_id)
        _audit(
            comment=comment,
            action=AuditEntry.Action.EDITED,
            from_status=comment.status,
            to_status=comment.status,
            reason=reason,
            **_actor_fields(actor),
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
            _audit(
                comment=item,
                action=AuditEntry.Action.DELETED,
                from_status=item.status,
                reason=reason
                if item.pk == comment.pk
                else _("Reply under deleted comment %(id)d.") % {"id": comment.pk},
                **_actor_fields(actor),
            )
        Comment.objects.filter(pk__in=[item.pk for item in doomed]).delete()
        _public_changed(comment.article_id)
    return len(doomed)


def commenter_unsubscribe(*, comment: Comment) -> int:
    """Stop reply emails for every comment from this comment's author."""
    with transaction.atomic():
        same_author = Q(pk=comment.pk)
        if comment.author_email:
            same_author |= Q(author_email=comment.author_email)
        return Comment.objects.filter(same_author, notify_replies=True).update(
            notify_replies=False
        )


# Bans --------------------------------------------------------------------------


@dataclass(frozen=True)
class BanOutcome:
    bans: list[Ban] = field(default_factory=list)
    rejected: int = 0


def commenter_ban(
    *,
    comment: Comment,
    actor,
    reason: str = "",
    ban_ip: bool = False,
    expires_at=None,
) -> BanOutcome:
    """Ban the commenter behind ``comment`` by email (and IP, if asked).

    Their comments still waiting for review are rejected with the same reason.
    """
    targets = []
    if comment.author_email:
        targets.append((Ban.Kind.EMAIL, comment.author_email))
    if ban_ip and comment.ip_address:
        targets.append((Ban.Kind.IP, comment.ip_address))
    bans = []
    with transaction.atomic():
        for kind, value in targets:
            ban, created = Ban.objects.get_or_create(
                kind=kind,
                value=Ban.normalised_value(kind, value),
                defaults={
                    "reason": reason,
                    "expires_at": expires_at,
                    "created_by": actor,
                },
            )
            bans.append(ban)
            if created:
                _audit(
                    comment=comment,
                    action=AuditEntry.Action.BANNED,
                    reason=ban.description,
                    **_actor_fields(actor),
                )
        rejected = 0
        if comment.author_email:
            waiting = Comment.objects.filter(
                author_email=comment.author_email, status=Comment.Status.PENDING
            )
            for held in waiting:
                rejected += comment_reject(
                    comment=held,
                    actor=actor,
                    reason=f"{_('Commenter banned.')} {reason}".strip(),
                )
    return BanOutcome(bans=bans, rejected=rejected)


def ban_save(*, ban: Ban, actor) -> Ban:
    """A ban made or changed by hand in the admin, logged like the others."""
    with transaction.atomic():
        adding = ban.pk is None
        if adding:
            ban.created_by = actor
        ban.save()
        if adding:
            _audit(
                action=AuditEntry.Action.BANNED,
                commenter_email=ban.value if ban.kind == Ban.Kind.EMAIL else "",
                reason=ban.description,
                **_actor_fields(actor),
            )
    return ban


def ban_lift(*, ban: Ban, actor) -> None:
    """Remove a ban, and say so in the log."""
    with transaction.atomic():
        _audit(
            action=AuditEntry.Action.BANNED,
            commenter_email=ban.value if ban.kind == Ban.Kind.EMAIL else "",
            reason=_("Ban #%(id)d lifted (%(kind)s).")
            % {"id": ban.pk, "kind": ban.get_kind_display().lower()},
            **_actor_fields(actor),
        )
        ban.delete()


# Reports -----------------------------------------------------------------------


@dataclass(frozen=True)
class ReportOutcome:
    report: Report | None = None
    hidden: bool = False
    refused: str = ""  # "", "already", "rate-limit" or "gone"
    retry_after: int = 0

    @property
    def http_status(self) -> int:
        return {"": 200, "already": 200, "rate-limit": 429, "gone": 404}[self.refused]


def number_text(value: Decimal) -> str:
    """2.50 as "2.5" and 3.00 as "3", whatever the database returned."""
    return format(Decimal(value).normalize(), "f")


def reporter_weight(reporter_key: str) -> Decimal:
    """How much a reader's report counts, from what became of their earlier ones."""
    record = dict(
        Report.objects.filter(reporter_key=reporter_key)
        .exclude(outcome=Report.Outcome.OPEN)
        .values_list("outcome")
        .annotate(count=Count("pk"))
    )
    upheld = record.get(Report.Outcome.UPHELD, 0)
    dismissed = record.get(Report.Outcome.DISMISSED, 0)
    weight = REPORT_WEIGHT_NEW + REPORT_WEIGHT_STEP * (upheld - dismissed)
    return min(REPORT_WEIGHT_MAX, max(REPORT_WEIGHT_MIN, weight))


def comment_report(
    *,
    comment: Comment,
    reason: str,
    reporter_key: str,
    ip_hash: str = "",
    note: str = "",
) -> ReportOutcome:
    """A reader reports a public comment, once.

    Reports are weighed by the reader's record; a second report of the same
    comment from an address that already reported it is kept but weighs
    nothing (the same person in a fresh browser, most likely). When the open
    reports reach the threshold the comment leaves public view until a
    moderator decides; a comment a moderator kept up despite earlier reports
    stays up (and goes back in their queue).
    """
    if reason not in Report.Reason.values:
        raise ValueError(f"Unknown report reason {reason!r}.")
    if Report.objects.filter(comment=comment, reporter_key=reporter_key).exists():
        return ReportOutcome(refused="already")
    config = ModerationSettings.load()
    limits = [
        (ratelimit.Limit("report-reader", config.reports_per_hour, 3600), reporter_key)
    ]
    if ip_hash:
        limits.append(
            (ratelimit.Limit("report-ip", config.reports_per_hour, 3600), ip_hash[:32])
        )
    verdict = ratelimit.check_all(limits)
    if not verdict.allowed:
        return ReportOutcome(refused="rate-limit", retry_after=verdict.retry_after)

    with transaction.atomic():
        comment = (
            Comment.objects.select_for_update().filter(pk=comment.pk).public().first()
        )
        if comment is None:
            ratelimit.release(verdict)
            return ReportOutcome(refused="gone")
        if comment.reports.filter(reporter_key=reporter_key).exists():
            ratelimit.release(verdict)
            return ReportOutcome(refused="already")
        same_address = (
            bool(ip_hash) and comment.reports.filter(ip_hash=ip_hash).exists()
        )
        report = Report.objects.create(
            comment=comment,
            reason=reason,
            note=note.strip()[:500],
            reporter_key=reporter_key,
            ip_hash=ip_hash,
            weight=Decimal(0) if same_address else reporter_weight(reporter_key),
        )
        total = comment.reports.filter(outcome=Report.Outcome.OPEN).aggregate(
            total=Sum("weight")
        )["total"] or Decimal(0)
        # A moderator who already looked at reports and kept the comment up
        # has decided; new reports queue it for them again but do not hide it.
        cleared = comment.reports.filter(outcome=Report.Outcome.DISMISSED).exists()
        hidden = total >= config.report_threshold and not cleared
        if hidden:
            comment.hidden_at = timezone.now()
            comment.save(update_fields=["hidden_at"])
            _public_changed(comment.article_id)
            _audit(
                comment=comment,
                action=AuditEntry.Action.HIDDEN,
                rule="reports",
                from_status=comment.status,
                to_status=comment.status,
                reason=_(
                    "Open reports weigh %(total)s; the threshold is %(threshold)s."
                )
                % {
                    "total": number_text(total),
                    "threshold": number_text(config.report_threshold),
                },
            )
            transaction.on_commit(notifications.notify_moderators)
    return ReportOutcome(report=report, hidden=hidden)


# Commenters' personal data ---------------------------------------------------


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
    _audit(
        action=AuditEntry.Action.EXPORTED,
        commenter_email=email,
        reason=_("Exported %(count)d comments.") % {"count": len(data["comments"])},
        **_actor_fields(actor, via),
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
        _purge_pages(*set(comments.values_list("article_id", flat=True)))
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
        _audit(
            action=AuditEntry.Action.ERASED,
            reason=_(
                "Erased at the commenter's request: %(comments)d comments "
                "anonymised, %(entries)d log entries cleared, %(bans)d bans kept "
                "as a digest."
            )
            % {"comments": len(ids), "entries": log_entries, "bans": ban_count},
            **_actor_fields(actor, via),
        )
    return Erasure(comments=len(ids), log_entries=log_entries, bans=ban_count)
