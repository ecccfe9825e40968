"""
API keys: optional, for partners who need more than the anonymous rate limit.

Only a SHA-256 digest of each key is stored (a key is 32 random bytes, so a
fast hash is enough: there is nothing to guess); the key itself is shown once,
when it is made in the admin. A revoked key stops working at once.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ApiKey(models.Model):
    name = models.CharField(
        _("name"), max_length=100, help_text=_("Who uses it, e.g. “Mobile app”.")
    )
    prefix = models.CharField(
        _("prefix"),
        max_length=12,
        unique=True,
        editable=False,
        help_text=_("The key's first characters, to recognise it in logs."),
    )
    digest = models.CharField(max_length=64, unique=True, editable=False)
    per_minute = models.PositiveIntegerField(_("requests per minute"), default=600)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"


from .webhooks.models import (  # noqa: E402  (Django finds an app's models here)
    WebhookAttempt,
    WebhookDelivery,
    WebhookHeldEvent,
    WebhookSubscription,
)

__all__ = [
    "ApiKey",
    "WebhookAttempt",
    "WebhookDelivery",
    "WebhookHeldEvent",
    "WebhookSubscription",
]
