"""
What the site-wide app stores: the record of imported items (here) and the
jobs' own tables (``core.jobs.models``, which Django finds through this module).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from .jobs.models import JobRun, WorkerBeat

__all__ = ["ImportedItem", "JobRun", "WorkerBeat"]


class ImportedItem(models.Model):
    """One thing an import brought in, by its id in the source system.

    The WordPress importer looks a post, attachment, comment or author up
    here before writing: a row with the same ``digest`` means nothing changed
    (the item is reported "unchanged" and not touched), a different one means
    the export was edited and the object is updated. A post's row is written
    in the same transaction as the article, so an import that was stopped
    half-way continues from the last post that went in.
    """

    class Kind(models.TextChoices):
        POST = "post", _("post")
        ATTACHMENT = "attachment", _("attachment")
        COMMENT = "comment", _("comment")
        AUTHOR = "author", _("author")
        SECTION = "section", _("section")

    # The export's site address (wp:base_blog_url): ids are unique per site.
    source = models.CharField(_("source"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    wp_id = models.CharField(_("id in the source"), max_length=200)
    guid = models.CharField(_("GUID"), max_length=500, blank=True)
    # An attachment's address without host or size suffix, for rewriting
    # bodies in this file and in every later one.
    url_key = models.CharField(_("file key"), max_length=500, blank=True)
    object_id = models.BigIntegerField(_("object id"), null=True, blank=True)
    digest = models.CharField(_("content digest"), max_length=64, blank=True)
    # What the item left behind that is not an object of ours (an attachment's
    # stored file and renditions, its page address).
    data = models.JSONField(_("data"), default=dict, blank=True)
    imported_at = models.DateTimeField(_("imported"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("imported item")
        verbose_name_plural = _("imported items")
        constraints = [
            models.UniqueConstraint(
                fields=["source", "kind", "wp_id"], name="imported_item_unique"
            ),
        ]
        indexes = [
            models.Index(fields=["kind", "url_key"], name="imported_item_url_idx"),
            # A post's comments are found by the post's id (``guid``): without
            # it each batch of an import read every comment imported so far.
            models.Index(
                fields=["source", "kind", "guid"], name="imported_item_guid_idx"
            ),
        ]

    def __str__(self):
        return f"{self.kind} {self.wp_id} from {self.source}"
