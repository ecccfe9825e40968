from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class CorrectionQuerySet(models.QuerySet):
    def public(self):
        """Corrections readers see: not removed, on published articles only
        when combined with ``article__in=Article.objects.published()``."""
        return self.filter(removed_at__isnull=True)


class Correction(models.Model):
    """A public, dated note that an article was corrected, clarified or updated.

    Never deleted: removing one records who removed it, when and why.
    """

    class Kind(models.TextChoices):
        CORRECTION = "correction", _("Correction")
        CLARIFICATION = "clarification", _("Clarification")
        UPDATE = "update", _("Update")

    article = models.ForeignKey(
        "articles.Article",
        verbose_name=_("article"),
        on_delete=models.PROTECT,
        related_name="corrections",
    )
    kind = models.CharField(
        _("kind"), max_length=16, choices=Kind.choices, default=Kind.CORRECTION
    )
    text = models.TextField(
        _("text"), help_text=_("What was wrong and what is right, in plain words.")
    )
    published_at = models.DateTimeField(_("date"), default=timezone.now)
    editor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("editor"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    removed_at = models.DateTimeField(_("removed"), null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("removed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    removal_reason = models.TextField(_("reason for removal"), blank=True)

    objects = CorrectionQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-pk"]
        verbose_name = _("correction")
        verbose_name_plural = _("corrections")
        indexes = [
            models.Index(
                fields=["-published_at"],
                condition=models.Q(removed_at__isnull=True),
                name="correction_public_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(removed_at__isnull=True)
                | ~models.Q(removal_reason=""),
                name="correction_removal_has_reason",
            ),
        ]

    def __str__(self):
        return (
            f"{self.get_kind_display()}, {self.published_at:%d %b %Y}: {self.text[:60]}"
        )
