import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ArticleTransition(models.Model):
    """One move of an article between states: who, when, from, to, and why."""

    article = models.ForeignKey(
        "articles.Article", on_delete=models.CASCADE, related_name="transitions"
    )
    from_status = models.CharField(_("from"), max_length=16)
    to_status = models.CharField(_("to"), max_length=16)
    publish_at = models.DateTimeField(_("publish at"), null=True, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")

    def __str__(self):
        return f"{self.article_id}: {self.from_status} → {self.to_status}"


class PreviewLink(models.Model):
    """A shareable, signed, expiring and revocable link to an unpublished piece."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    article = models.ForeignKey(
        "articles.Article", on_delete=models.CASCADE, related_name="preview_links"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("preview link")
        verbose_name_plural = _("preview links")

    def __str__(self):
        return f"Preview of {self.article_id} until {self.expires_at:%Y-%m-%d %H:%M}"


class ArticlePath(models.Model):
    """An address an article had before: it answers 301 to the current one.

    Rows point at the article, not at the next address, so a chain of changes
    is always one hop. A path here is taken: no other article may use it.
    """

    path = models.CharField(_("old path"), max_length=300, unique=True)
    # The path's last segment when it ends in "/" (what ``path__endswith=
    # "/<slug>/"`` used to find by scanning the table), so a slug clash is
    # an indexed look-up however many old addresses there are.
    slug = models.CharField(_("last segment"), max_length=300, blank=True)
    article = models.ForeignKey(
        "articles.Article", on_delete=models.CASCADE, related_name="old_paths"
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["slug"], name="articles_path_slug_idx")]
        verbose_name = _("old address")
        verbose_name_plural = _("old addresses")

    def __str__(self):
        return self.path

    def save(self, *args, **kwargs):
        self.slug = self.last_segment(self.path)
        super().save(*args, **kwargs)

    @classmethod
    def headlines_by_slug(cls, slugs, *, under: str, exclude_article=None):
        """The headline each of ``slugs`` leads to from an old address
        starting with ``under`` (the newest such address), in one query."""
        rows = cls.objects.filter(path__startswith=under, slug__in=list(slugs))
        if exclude_article is not None:
            rows = rows.exclude(article_id=exclude_article)
        found: dict[str, str] = {}
        for slug, headline in rows.values_list("slug", "article__headline"):
            found.setdefault(slug, headline)
        return found

    @staticmethod
    def last_segment(path: str) -> str:
        """``"b"`` for ``"/a/b/"``; ``""`` for a path not ending in ``/``.

        ``bulk_create`` skips ``save()``: callers that use it set ``slug``
        with this.
        """
        if not path.endswith("/"):
            return ""
        _head, slash, segment = path[:-1].rpartition("/")
        return segment if slash else ""
