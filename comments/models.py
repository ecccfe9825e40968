from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


def public_filter(prefix: str = "") -> Q:
    """The one rule for which comments readers see, for queries from any model.

    ``prefix`` joins from another model, e.g. ``public_filter("comments__")``
    to count an article's public comments.
    """
    return Q(**{f"{prefix}status": "approved"})


class CommentQuerySet(models.QuerySet):
    def public(self):
        """What readers see and count: approved comments."""
        return self.filter(public_filter())


class Comment(models.Model):
    """A reader's reply under an article. Plain text; only approved is public."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        SPAM = "spam", _("Spam")

    article = models.ForeignKey(
        "articles.Article",
        verbose_name=_("article"),
        on_delete=models.CASCADE,
        related_name="comments",
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("in reply to"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="replies",
    )
    author_name = models.CharField(_("name"), max_length=80)
    author_email = models.EmailField(_("email"), help_text=_("Never shown to readers."))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="comments",
    )
    body = models.TextField(_("comment"), max_length=5000)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = CommentQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        indexes = [
            # The public thread: approved comments of one article, oldest first.
            models.Index(
                fields=["article", "created_at"],
                condition=Q(status="approved"),
                name="comment_approved_thread_idx",
            ),
            # The moderators' queue and per-article counts by status.
            models.Index(fields=["status", "-created_at"], name="comment_status_idx"),
            models.Index(fields=["author_email", "status"], name="comment_email_idx"),
        ]

    def __str__(self):
        return f"{self.author_name} on {self.article}: {self.body[:50]}"
