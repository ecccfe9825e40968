"""
The article row: its fields, what ``save()`` derives from them (sanitised
body, reading time, slug, publication dates), its address and its checks.
Its parts are in ``parts``, its queries in ``queryset``, and every write in
``articles.services``.
"""

import functools

from ckeditor_uploader.fields import RichTextUploadingField
from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.db import connection, models
from django.db.models import Q
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from taggit.managers import TaggableManager

from articles.images import (
    ValidatedImageField,
    discard_image_upload,
    process_image_upload,
)
from articles.video import Video, parse_video_url, validate_video_url

from .author import Author
from .own_fields import WORDS_PER_MINUTE, fill_own_fields  # noqa: F401 (seeder)
from .queryset import ArticleQuerySet
from .section import Section


def _article_route_prefix() -> str:
    """The part of every article address before its date ("/news/")."""
    # Asked once per clean(), thousands of times in an import: remembered
    # per URLconf and script prefix, the only things it depends on.
    return _route_prefix(get_urlconf() or settings.ROOT_URLCONF, get_script_prefix())


@functools.cache
def _route_prefix(urlconf: str, script_prefix: str) -> str:
    sample = reverse(
        "articles:article-detail",
        kwargs={"year": 2000, "month": 1, "day": 1, "slug": "x"},
        urlconf=urlconf,
    )
    return sample[: sample.index("/2000/") + 1]


class ArticleConflict(Exception):
    """Someone saved the article after this copy was loaded; nothing was written."""

    def __init__(self, article: "Article"):
        self.article = article
        super().__init__(f"Article {article.pk} was changed by someone else.")


class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        REVIEW = "review", _("In review")
        PUBLISHED = "published", _("Published")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    headline = models.CharField(_("headline"), max_length=255)
    slug = models.SlugField(
        _("slug"),
        max_length=200,
        unique=True,
        blank=True,
        help_text=_(
            "The last part of the article's address. Filled from the headline."
        ),
    )
    dek = models.CharField(
        _("dek"),
        max_length=300,
        blank=True,
        help_text=_("The standfirst: one sentence under the headline."),
    )
    body = RichTextUploadingField(_("body"), blank=True)

    lead_image = ValidatedImageField(
        _("lead image"), upload_to="articles/%Y/%m/", blank=True
    )
    lead_image_renditions = models.JSONField(
        _("lead image renditions"), default=list, blank=True, editable=False
    )
    lead_image_caption = models.CharField(_("caption"), max_length=300, blank=True)
    lead_image_credit = models.CharField(_("credit"), max_length=150, blank=True)
    lead_image_alt = models.CharField(
        _("alt text"),
        max_length=250,
        blank=True,
        help_text=_("What the image shows, for readers who cannot see it."),
    )

    video_url = models.URLField(
        _("video link"),
        blank=True,
        validators=[validate_video_url],
        help_text=_(
            "A YouTube or Vimeo link. Readers load it only when they press play."
        ),
    )
    video_title = models.CharField(_("video title"), max_length=200, blank=True)

    section = models.ForeignKey(
        Section,
        verbose_name=_("section"),
        on_delete=models.PROTECT,
        related_name="articles",
    )
    authors = models.ManyToManyField(
        Author,
        verbose_name=_("authors"),
        through="ArticleAuthor",
        related_name="articles",
        blank=True,
    )
    tags = TaggableManager(verbose_name=_("tags"), through="TaggedArticle", blank=True)
    related = models.ManyToManyField(
        "self",
        verbose_name=_("related articles"),
        through="RelatedArticle",
        through_fields=("from_article", "to_article"),
        symmetrical=False,
        blank=True,
    )

    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    publish_at = models.DateTimeField(
        _("publish at"),
        null=True,
        blank=True,
        help_text=_(
            "When readers first see it. Leave empty to publish now; "
            "a time in the future schedules it."
        ),
    )
    first_published_at = models.DateTimeField(
        _("first published"), null=True, blank=True, editable=False
    )
    updated_at = models.DateTimeField(
        _("updated"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("Last edit after publication, shown to readers as “Updated”."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    modified_at = models.DateTimeField(_("modified"), auto_now=True)
    # Optimistic concurrency: the services lock the row, compare and bump it.
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    last_edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("last edited by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    allow_comments = models.BooleanField(_("allow comments"), default=True)
    # Approved, visible comments: kept by comments.counts in the transaction of
    # every moderation decision, never written by Article.save (OWNED_ELSEWHERE);
    # `manage.py repair_comment_counts` recounts from the rows.
    comment_count = models.PositiveIntegerField(
        _("comments"), default=0, editable=False
    )
    reading_time = models.PositiveSmallIntegerField(
        _("reading time (minutes)"), default=1, editable=False
    )
    # Weighted full-text vector, kept by articles.search on PostgreSQL (GIN
    # index made by migration 0003 there); unused on SQLite.
    search_vector = SearchVectorField(null=True, blank=True, editable=False)

    objects = ArticleQuerySet.as_manager()

    # Columns an article save never writes, each kept by its owner: the
    # version by the services' conflict check (articles.services), the count
    # by comments.counts, the vector by articles.search.
    OWNED_ELSEWHERE = ("version", "comment_count", "search_vector")

    class Meta:
        ordering = ["-publish_at", "-pk"]
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        indexes = [
            # The default ordering: the admin's article list reads it a page
            # at a time instead of sorting every row.
            models.Index(fields=["-publish_at", "-id"], name="article_order_idx"),
            models.Index(
                fields=["status", "-publish_at"], name="article_status_pub_idx"
            ),
            models.Index(
                fields=["section", "status", "-publish_at"],
                name="article_section_pub_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="published") | Q(publish_at__isnull=False),
                name="article_published_has_publish_at",
            ),
        ]
        permissions = [
            ("publish_article", _("Can publish, schedule and withdraw articles")),
        ]

    def __str__(self):
        return self.headline

    def save(self, *args, **kwargs):
        """Fill the row's own derived fields, then write it.

        Only the row: renditions, the search vector, old addresses, the
        version check and purges are the services' (``articles.services``).
        An update writes every column but ``OWNED_ELSEWHERE``, so a copy
        loaded before a comment was approved never writes its count back.
        """
        fill_own_fields(self)
        if not self._state.adding and self.pk is not None:
            update_fields = kwargs.get("update_fields")
            if update_fields is None:
                kwargs["update_fields"] = self.content_fields()
            else:
                kwargs["update_fields"] = {*update_fields, "modified_at"}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        when = timezone.localtime(self.publish_at or self.created_at or timezone.now())
        return reverse(
            "articles:article-detail",
            kwargs={
                "year": when.year,
                "month": when.month,
                "day": when.day,
                "slug": self.slug,
            },
        )

    @classmethod
    def content_fields(cls) -> list[str]:
        """The columns an article save writes: all but ``OWNED_ELSEWHERE``."""
        return [
            field.name
            for field in cls._meta.concrete_fields
            if not field.primary_key and field.name not in cls.OWNED_ELSEWHERE
        ]

    def keep_owned_columns(self) -> None:
        """Before a raw save over an existing row, take ``OWNED_ELSEWHERE``
        from that row (locked, inside a transaction).

        loaddata and django-reversion's revert write a deserialised copy with
        ``Model.save_base(raw=True)``, which bypasses ``save()``; a revision
        leaves these columns out, so the copy holds their defaults (version 1,
        no comments) and would write them back (``ArticlesConfig.ready``).
        """
        rows = type(self)._base_manager.filter(pk=self.pk)
        if not connection.get_autocommit():
            rows = rows.select_for_update()
        current = rows.values(*self.OWNED_ELSEWHERE).first()
        for name, value in (current or {}).items():
            setattr(self, name, value)

    def store_lead_image(self):
        """Store a freshly assigned lead image, normalised, with its renditions.

        Returns the new renditions (for ``discard_lead_image`` if the write
        fails), or None when the image did not change. The services call it
        before saving; ``save()`` does not.
        """
        renditions = process_image_upload(self.lead_image)
        if renditions is not None:
            self.lead_image_renditions = renditions
        elif not self.lead_image:
            self.lead_image_renditions = []
        return renditions

    def discard_lead_image(self, renditions) -> None:
        """Undo ``store_lead_image`` when the write it was for failed."""
        discard_image_upload(self.lead_image, renditions)

    def old_url(self, before: dict) -> str | None:
        """The address a piece had in ``before`` (its row's ``slug``,
        ``publish_at``, ``created_at``, ``first_published_at``), if it was out."""
        if before.get("first_published_at") is None:
            return None
        return Article(
            slug=before["slug"],
            publish_at=before["publish_at"],
            created_at=before["created_at"],
        ).get_absolute_url()

    def clean(self):
        if self.slug:
            # Only old addresses under the article route can be mistaken for
            # this piece's; an imported one (/2020/01/15/<slug>/) cannot.
            taken = Article.old_address_headlines([self.slug], exclude_pk=self.pk)
            if taken:
                raise Article.slug_leads_elsewhere(taken[self.slug])
        self.clean_without_lookups()

    @staticmethod
    def old_address_headlines(slugs, *, exclude_pk=None) -> dict[str, str]:
        """Of ``slugs``, those an old address under the article route leads
        elsewhere from, with its piece's headline; one query for many."""
        from .workflow import ArticlePath

        return ArticlePath.headlines_by_slug(
            slugs, under=_article_route_prefix(), exclude_article=exclude_pk
        )

    @staticmethod
    def slug_leads_elsewhere(headline: str) -> ValidationError:
        return ValidationError(
            {
                "slug": _(
                    "The address with this slug still leads readers to "
                    "“%(headline)s”. Choose another slug."
                )
                % {"headline": headline}
            }
        )

    def clean_without_lookups(self):
        """What ``clean()`` checks in the row itself, without a query."""
        if self.status == self.Status.PUBLISHED and self.publish_at is None:
            # "Publish" with no time means now (the constraint needs a time).
            self.publish_at = timezone.now()
        errors = {}
        if self.lead_image and not self.lead_image_alt.strip():
            errors["lead_image_alt"] = _(
                "Describe the image for readers who cannot see it."
            )
        if self.video_url and not self.video_title.strip():
            errors["video_title"] = _(
                "Give the video a title; readers see it on the poster."
            )
        if self.video_title and not self.video_url:
            errors["video_url"] = _("Add the video's link, or remove its title.")
        if errors:
            raise ValidationError(errors)

    def is_published(self) -> bool:
        """This one article, by the same rule as ``Article.objects.published()``."""
        return (
            self.status == self.Status.PUBLISHED
            and self.publish_at is not None
            and self.publish_at <= timezone.now()
        )

    @property
    def is_scheduled(self) -> bool:
        return (
            self.status == self.Status.PUBLISHED
            and self.publish_at is not None
            and self.publish_at > timezone.now()
        )

    @property
    def video(self) -> Video | None:
        if not self.video_url:
            return None
        try:
            return parse_video_url(self.video_url)
        except ValidationError:
            return None

    @property
    def byline_authors(self) -> list[Author]:
        """Authors in byline order; uses the prefetch from ``with_bylines()``."""
        return [byline.author for byline in self.bylines.all()]

    def _unique_slug(self) -> str:
        base = slugify(self.headline)[:180].strip("-") or "article"
        slug, number = base, 2
        others = Article.objects.exclude(pk=self.pk)
        while others.filter(slug=slug).exists():
            slug, number = f"{base}-{number}", number + 1
        return slug
