"""
A subscription is a partner's URL, the events it wants and the secret its
signatures use. Each event makes one delivery per subscription; each delivery
keeps its attempts, so the admin shows when it was tried, how long the
receiver took and what it answered.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

EVENTS = (
    ("article.published", _("Article published")),
    ("article.updated", _("Published article updated")),
    ("article.corrected", _("Article corrected")),
    ("article.withdrawn", _("Article withdrawn")),
    ("comment.approved", _("Comment approved")),
)


class WebhookSubscription(models.Model):
    name = models.CharField(
        _("name"), max_length=100, help_text=_("Who receives it, e.g. “Mobile app”.")
    )
    url = models.URLField(
        _("URL"),
        max_length=500,
        help_text=_(
            "An https address on the public internet; redirects are not followed."
        ),
    )
    events = models.JSONField(_("events"), default=list)
    secret = models.CharField(
        _("signing secret"),
        max_length=100,
        editable=False,
        help_text=_(
            "Give it to the receiver to verify signatures (Standard Webhooks)."
        ),
    )
    is_active = models.BooleanField(_("active"), default=True)
    consecutive_failures = models.PositiveIntegerField(
        _("failed deliveries in a row"), default=0, editable=False
    )
    failing_since = models.DateTimeField(null=True, blank=True, editable=False)
    disabled_at = models.DateTimeField(
        _("switched off automatically"), null=True, blank=True, editable=False
    )
    disabled_reason = models.CharField(max_length=300, blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("webhook subscription")
        verbose_name_plural = _("webhook subscriptions")
        ordering = ["name"]

    def __str__(self):
        return self.name


class WebhookDelivery(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        RETRYING = "retrying", _("retrying")
        DELIVERED = "delivered", _("delivered")
        FAILED = "failed", _("failed")
        CANCELLED = "cancelled", _("cancelled")

    subscription = models.ForeignKey(
        WebhookSubscription, on_delete=models.CASCADE, related_name="deliveries"
    )
    message_id = models.CharField(
        _("message id"),
        max_length=40,
        db_index=True,
        help_text=_(
            "The same on every attempt and redelivery: receivers drop repeats."
        ),
    )
    event = models.CharField(_("event"), max_length=40, choices=EVENTS)
    # The exact bytes signed and sent, the same on every attempt.
    body = models.TextField(_("body"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    response_code = models.PositiveSmallIntegerField(
        _("last response code"), null=True, blank=True
    )
    latency_ms = models.PositiveIntegerField(
        _("last latency (ms)"), null=True, blank=True
    )
    next_attempt_at = models.DateTimeField(_("next retry"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["subscription", "-created_at"])]

    def __str__(self):
        return f"{self.event} → {self.subscription} ({self.message_id})"


class WebhookAttempt(models.Model):
    delivery = models.ForeignKey(
        WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log"
    )
    number = models.PositiveSmallIntegerField(_("attempt"))
    started_at = models.DateTimeField(_("started"))
    latency_ms = models.PositiveIntegerField(_("latency (ms)"))
    response_code = models.PositiveSmallIntegerField(
        _("response code"), null=True, blank=True
    )
    error = models.CharField(_("error"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("attempt")
        verbose_name_plural = _("attempts")
        ordering = ["delivery", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["delivery", "number"], name="webhook_attempt_once"
            )
        ]

    def __str__(self):
        return f"#{self.number}"


class WebhookHeldEvent(models.Model):
    """An ``article.updated`` waiting for its window to close: one row per
    piece, so every edit in the window joins it (``debounce``). The job that
    sends it is queued for ``due_at``; the row, not a worker, remembers it."""

    event = models.CharField(_("event"), max_length=40, choices=EVENTS)
    object_id = models.PositiveBigIntegerField(_("object id"))
    due_at = models.DateTimeField(_("due"))
    last_at = models.DateTimeField(_("latest change"))
    changes = models.PositiveIntegerField(_("changes"), default=1)

    class Meta:
        verbose_name = _("held webhook event")
        verbose_name_plural = _("held webhook events")
        constraints = [
            models.UniqueConstraint(
                fields=["event", "object_id"], name="webhook_held_event_once"
            )
        ]

    def __str__(self):
        return f"{self.event} {self.object_id} (due {self.due_at:%H:%M:%S})"
