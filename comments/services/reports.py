"""Readers report comments; enough weight takes one out of view."""

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import policy, ratelimit, tasks
from ..models import AuditEntry, Comment, Report
from ._shared import audit_entry, public_changed

# A report's weight: 1 for a reader with no record, half a point more for each
# earlier report a moderator upheld and half a point less for each dismissed.
REPORT_WEIGHT_NEW = Decimal("1")
REPORT_WEIGHT_STEP = Decimal("0.5")
REPORT_WEIGHT_MIN = Decimal("0.25")
REPORT_WEIGHT_MAX = Decimal("3")


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
    config = policy.current()
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
            public_changed(comment.article_id)
            audit_entry(
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
            transaction.on_commit(tasks.notify_moderators.enqueue, robust=True)
    return ReportOutcome(report=report, hidden=hidden)
