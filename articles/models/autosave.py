from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Autosave(models.Model):
    """The form as an editor last left it, saved in the background.

    One row per editor and article (or per editor and unsaved draft, keyed by
    an id the browser made up), overwritten each time: an autosave is not a
    revision and never touches the article, so it never moves its version.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    article = models.ForeignKey(
        "articles.Article",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="autosaves",
    )
    draft_key = models.CharField(_("draft id"), max_length=40, blank=True)
    data = models.JSONField(_("form fields"))
    base_version = models.PositiveIntegerField(_("opened at version"), null=True)
    saved_at = models.DateTimeField(_("saved at"))

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["article", "user"],
                condition=Q(article__isnull=False),
                name="autosave_one_per_article_and_user",
            ),
            models.UniqueConstraint(
                fields=["user", "draft_key"],
                condition=Q(article__isnull=True),
                name="autosave_one_per_draft_and_user",
            ),
        ]
        verbose_name = _("autosave")
        verbose_name_plural = _("autosaves")

    def __str__(self):
        return f"{self.user} · {self.article_id or self.draft_key} · {self.saved_at}"

    @property
    def is_stale(self) -> bool:
        """Saved from a version older than the article's current one."""
        return (
            self.article is not None
            and self.base_version is not None
            and self.base_version < self.article.version
        )
