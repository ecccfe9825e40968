from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Report(models.Model):
    """A reader's report of a comment, weighed by that reader's record."""

    class Reason(models.TextChoices):
        SPAM = "spam", _("Spam")
        ABUSE = "abuse", _("Abusive or hateful")
        OFF_TOPIC = "off_topic", _("Off-topic")
        OTHER = "other", _("Something else")

    class Outcome(models.TextChoices):
        OPEN = "open", _("Open")
        UPHELD = "upheld", _("Upheld: the comment was removed")
        DISMISSED = "dismissed", _("Dismissed: the comment was approved")

    comment = models.ForeignKey(
        "comments.Comment",
        verbose_name=_("comment"),
        on_delete=models.CASCADE,
        related_name="reports",
    )
    reason = models.CharField(_("reason"), max_length=16, choices=Reason.choices)
    note = models.CharField(_("note"), max_length=500, blank=True)
    reporter_key = models.CharField(
        _("reporter"),
        max_length=64,
        help_text=_("A digest of the reader's browser id; not personal data."),
    )
    ip_hash = models.CharField(_("IP digest"), max_length=64, blank=True)
    weight = models.DecimalField(
        _("weight"), max_digits=4, decimal_places=2, default=Decimal(1)
    )
    outcome = models.CharField(
        _("outcome"), max_length=16, choices=Outcome.choices, default=Outcome.OPEN
    )
    created_at = models.DateTimeField(_("reported"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        indexes = [
            models.Index(
                fields=["comment"],
                condition=Q(outcome="open"),
                name="report_open_idx",
            ),
            models.Index(fields=["reporter_key", "outcome"], name="report_record_idx"),
        ]
        constraints = [
            # Once per reader: a second report from the same browser is refused.
            models.UniqueConstraint(
                fields=["comment", "reporter_key"], name="report_once_per_reader"
            ),
        ]

    def __str__(self):
        return f"{self.get_reason_display()} ({self.weight})"
