from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditQuerySet(models.QuerySet):
    def for_email(self, email: str):
        return (
            self.filter(commenter_email__iexact=email.strip()) if email else self.none()
        )

    def update(self, **kwargs):
        raise TypeError("The audit log is append-only.")

    def delete(self):
        raise TypeError("The audit log is append-only.")

    def erase_personal_data(self) -> int:
        """The one change the log allows: forgetting whom a decision was about."""
        return super().update(commenter_email="")


class AuditEntry(models.Model):
    """One decision about a comment, by a rule or by a person. Never changed.

    Comment and article are plain ids, not foreign keys: the entry outlives
    both, and a deleted comment leaves its history behind.
    """

    class Action(models.TextChoices):
        DECIDED = "decided", _("Decided at posting")
        REFUSED = "refused", _("Refused at posting")
        HIDDEN = "hidden", _("Hidden by reports")
        MODERATED = "moderated", _("Status changed")
        EDITED = "edited", _("Text edited")
        DELETED = "deleted", _("Deleted")
        BANNED = "banned", _("Banned")
        EXPORTED = "exported", _("Personal data exported")
        ERASED = "erased", _("Personal data erased")

    created_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    action = models.CharField(_("action"), max_length=16, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("moderator"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_name = models.CharField(
        _("who"),
        max_length=150,
        blank=True,
        help_text=_("The moderator's username when they decided, or the command."),
    )
    rule = models.CharField(_("rule"), max_length=50, blank=True)
    comment_id = models.BigIntegerField(_("comment id"), null=True, blank=True)
    article_id = models.BigIntegerField(_("article id"), null=True, blank=True)
    from_status = models.CharField(_("from"), max_length=16, blank=True)
    to_status = models.CharField(_("to"), max_length=16, blank=True)
    reason = models.TextField(_("why"), blank=True)
    commenter_email = models.EmailField(
        _("commenter's email"),
        blank=True,
        help_text=_("Removed when the commenter asks to be erased."),
    )

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("audit log entry")
        verbose_name_plural = _("audit log")
        indexes = [
            models.Index(fields=["comment_id", "created_at"], name="audit_comment_idx"),
            models.Index(fields=["commenter_email"], name="audit_email_idx"),
        ]

    def __str__(self):
        return f"{self.get_action_display()} {self.comment_id or ''} by {self.who}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise TypeError("The audit log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("The audit log is append-only.")

    @property
    def who(self) -> str:
        if self.rule and not self.actor_name:
            return str(_("rule: %(rule)s") % {"rule": self.rule})
        return self.actor_name or str(_("system"))
