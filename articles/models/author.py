from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from articles.images import (
    ValidatedImageField,
    discard_image_upload,
    process_image_upload,
)


class Author(models.Model):
    """A person in a byline. Contributors without a login have no user."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="author_profile",
        help_text=_("The login of this author, if they have one."),
    )
    name = models.CharField(_("name"), max_length=150)
    slug = models.SlugField(_("slug"), max_length=150, unique=True)
    job_title = models.CharField(
        _("job title"),
        max_length=150,
        blank=True,
        help_text=_("Shown in the byline, e.g. “News Editor”."),
    )
    bio = models.TextField(_("biography"), blank=True)
    photo = ValidatedImageField(_("photo"), upload_to="authors/%Y/%m/", blank=True)
    photo_renditions = models.JSONField(
        _("photo renditions"), default=list, blank=True, editable=False
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("author")
        verbose_name_plural = _("authors")

    def __str__(self):
        if self.job_title:
            return f"{self.name} – {self.job_title}"
        return self.name

    def get_absolute_url(self):
        return reverse("articles:author-detail", kwargs={"slug": self.slug})

    def store_photo(self):
        """Store a freshly assigned photo, normalised, with its renditions;
        the new renditions, or None when the photo did not change
        (``articles.services.author_save`` calls it, not ``save()``)."""
        renditions = process_image_upload(self.photo)
        if renditions is not None:
            self.photo_renditions = renditions
        elif not self.photo:
            self.photo_renditions = []
        return renditions

    def discard_photo(self, renditions) -> None:
        """Undo ``store_photo`` when the write it was for failed."""
        discard_image_upload(self.photo, renditions)
