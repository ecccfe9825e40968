from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .report import Report

MAX_LENGTH = 5000


def public_filter(prefix: str = "") -> Q:
    """The one rule for which comments readers see, for queries from any model.

    Approved, and not taken out of view by readers' reports while a moderator
    decides. ``prefix`` joins from another model, e.g.
    ``public_filter("comments__")`` to count an article's public comments.
    """
    return Q(**{f"{prefix}status": "approved", f"{prefix}hidden_at__isnull": True})


class CommentQuerySet(models.QuerySet):
    def public(self):
        """What readers see and count: approved comments not hidden by reports."""
        return self.filter(public_filter())

    def needs_attention(self):
        """The moderators' queue: held comments and comments with open reports."""
        # One id list from three index scans (UNION), not an OR over every
        # row: with 60,000 comments the OR with EXISTS took 240 ms on
        # PostgreSQL even when the queue was empty.
        every = Comment.objects.order_by()  # no ORDER BY inside a UNION
        held = every.filter(status=Comment.Status.PENDING).values("pk")
        hidden = every.filter(hidden_at__isnull=False).values("pk")
        reported = (
            Report.objects.filter(outcome=Report.Outcome.OPEN)
            .order_by()
            .values("comment_id")
        )
        return self.filter(pk__in=held.union(hidden, reported))

    def by_email(self, email: str):
        return self.filter(author_email__iexact=email.strip()) if email else self.none()


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
        # comment_article_email_idx starts with the article: it serves every
        # lookup by article that an index of the article alone served.
        db_index=False,
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("in reply to"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="replies",
    )
    root = models.ForeignKey(
        "self",
        verbose_name=_("thread"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The top-level comment this reply belongs under."),
    )
    depth = models.PositiveSmallIntegerField(_("depth"), default=1)
    author_name = models.CharField(_("name"), max_length=80, blank=True)
    author_email = models.EmailField(
        _("email"), blank=True, help_text=_("Never shown to readers.")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="comments",
    )
    body = models.TextField(_("comment"), max_length=MAX_LENGTH)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    notify_replies = models.BooleanField(
        _("email on replies"),
        default=False,
        help_text=_("The commenter asked for an email when a reply is approved."),
    )
    hidden_at = models.DateTimeField(
        _("hidden by reports"),
        null=True,
        blank=True,
        help_text=_("Taken out of view by readers' reports until a moderator decides."),
    )
    moderation_rule = models.CharField(_("rule"), max_length=50, blank=True)
    moderation_reason = models.CharField(_("rule's reason"), max_length=255, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    reply_notified_at = models.DateTimeField(
        _("reply email sent"), null=True, blank=True
    )
    erased_at = models.DateTimeField(_("personal data erased"), null=True, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = CommentQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        indexes = [
            # The public thread: public comments of one article, oldest first.
            models.Index(
                fields=["article", "created_at"],
                condition=public_filter(),
                name="comment_public_thread_idx",
            ),
            # Every post's duplicate check (comments.history: this email's
            # comments under this article since a time), and any lookup by
            # article. With the article alone, PostgreSQL read every comment
            # of a busy article on each post (3,257 for one 0.9 ms query).
            models.Index(
                fields=["article", "author_email", "created_at"],
                name="comment_article_email_idx",
            ),
            # The moderators' queue and per-article counts by status.
            models.Index(fields=["status", "-created_at"], name="comment_status_idx"),
            models.Index(fields=["author_email", "status"], name="comment_email_idx"),
            # The admin's "all comments", newest first, a page at a time.
            models.Index(fields=["-created_at", "-id"], name="comment_newest_idx"),
            models.Index(
                fields=["-created_at"],
                condition=Q(hidden_at__isnull=False),
                name="comment_hidden_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(depth__gte=1), name="comment_depth_positive"
            ),
        ]
        permissions = [
            ("moderate_comment", _("Can approve, reject and mark comments as spam")),
            ("ban_commenter", _("Can ban commenters")),
            (
                "manage_commenter_data",
                _("Can export and erase a commenter's personal data"),
            ),
        ]

    def __str__(self):
        return f"{self.display_name} on {self.article}: {self.body[:50]}"

    def save(self, *args, **kwargs):
        self.fill_own_fields()
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return f"{self.article.get_absolute_url()}#comment-{self.pk}"

    def fill_own_fields(self) -> None:
        """The row's derived fields: ``save()`` calls this, and so does a bulk
        insert, which skips ``save()``."""
        self.author_email = self.author_email.strip().lower()
        # Depth and thread follow from the parent, however the row was made.
        if self.parent_id is None:
            self.depth, self.root_id = 1, None
        else:
            parent = self.parent
            self.depth = parent.depth + 1
            self.root_id = parent.root_id or parent.pk

    @property
    def display_name(self) -> str:
        return self.author_name or str(_("Former reader"))

    @property
    def is_public(self) -> bool:
        """This one comment, by the same rule as ``public_filter``."""
        return self.status == self.Status.APPROVED and self.hidden_at is None
