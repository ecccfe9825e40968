import math

from ckeditor_uploader.fields import RichTextUploadingField
from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.db import connection, models
from django.db.models import Prefetch, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from taggit.managers import TaggableManager
from taggit.models import TaggedItemBase

from articles.images import (
    ValidatedImageField,
    discard_image_upload,
    process_image_upload,
)
from articles.sanitize import sanitize_body
from articles.video import Video, parse_video_url, validate_video_url

from .author import Author
from .section import Section

WORDS_PER_MINUTE = 230
RELATED_WINDOW = 400
# A tag or author with at least this many pieces is "busy" (see _linked).
BUSY_LINKS = 1000


class ArticleConflict(Exception):
    """Someone saved the article after this copy was loaded; nothing was written."""

    def __init__(self, article: "Article"):
        self.article = article
        super().__init__(f"Article {article.pk} was changed by someone else.")


class ArticleQuerySet(models.QuerySet):
    def published(self):
        """What a reader may see: published, and its publish time has come.

        The one definition used by every public view, feed, sitemap, search and
        count. A scheduled piece (published, time in the future) appears by
        itself when its time comes; no worker has to flip anything.
        """
        return self.filter(
            status=Article.Status.PUBLISHED, publish_at__lte=timezone.now()
        )

    def scheduled(self):
        return self.filter(
            status=Article.Status.PUBLISHED, publish_at__gt=timezone.now()
        )

    def related_to(self, article, *, tag_ids, limit=4, candidates=None):
        """Related posts: the editor's picks in their order, then the newest
        pieces sharing the most tags; never the article itself.

        Call it on ``published()`` so only what readers may see is offered.
        ``candidates`` comes with the article on its page (articles.selectors.parts);
        otherwise two queries: the candidates' ids (the picks, and a bounded window of
        the newest pieces carrying any of these tags, so a tag on 30,000
        pieces costs no more than a tag on 30), then those candidates ranked.
        An ``IN`` list of ids lets both databases use the primary key; an
        ``OR`` of two subqueries made PostgreSQL scan the whole table.
        """
        if (
            candidates is None
        ):  # the article page brings them (articles.selectors.parts)
            candidates = _related_candidates(article.pk, tag_ids)
        picks, sharing = candidates
        candidates = (set(picks) | set(sharing)) - {article.pk}
        if not candidates:
            return self.none()
        pick_order = models.Case(
            *(models.When(pk=pk, then=models.Value(pos)) for pk, pos in picks.items()),
            default=None,
            output_field=models.IntegerField(),
        )
        return (
            self.filter(pk__in=candidates)
            .annotate(
                pick=pick_order,
                shared=models.Count(
                    "tagged_items",
                    filter=Q(tagged_items__tag_id__in=tag_ids),
                    distinct=True,
                ),
            )
            .select_related("section")
            .order_by(
                models.F("pick").asc(nulls_last=True), "-shared", "-publish_at", "-pk"
            )[:limit]
        )

    def tagged(self, tag):
        """Pieces carrying ``tag``, planned for how busy it is (``_linked``)."""
        return self._linked(TaggedArticle, "content_object", tag=tag)

    def by_author(self, author):
        """Pieces under ``author``'s byline, planned like ``tagged``."""
        return self._linked(ArticleAuthor, "article", author=author)

    def _linked(self, through, article_field: str, **match):
        """Pieces linked through ``through`` to one tag or author.

        No single plan suits both a tag on a third of the archive and a tag
        on a dozen pieces (measured on SQLite at 100,000 pieces: a join took
        180 ms for the first and 4 ms for the second; walking the newest
        pieces with EXISTS took 3 ms and 31 ms). So one small query asks
        whether there are at least BUSY_LINKS links: if so, walk the newest
        pieces by the ordering index and keep the linked ones (a page of them
        comes within the first few dozen rows); if not, fetch the few links
        first and then those pieces.
        """
        links = through.objects.filter(**match)
        if links.order_by()[BUSY_LINKS - 1 : BUSY_LINKS].exists():
            return self.filter(
                models.Exists(links.filter(**{article_field: models.OuterRef("pk")}))
            )
        return self.filter(pk__in=links.values(f"{article_field}_id"))

    def with_bylines(self, *, section: bool = True):
        """Ordered authors (and the section, unless not shown) for lists, in
        small queries after the list's own. The section is prefetched, not
        joined: with the join SQLite drives the query from the few sections
        and sorts every piece of the list (256 ms for a tag on 31,000 of
        100,000 pieces, against 1.6 ms reading the ordering index)."""
        bylines = Prefetch(
            "bylines", queryset=ArticleAuthor.objects.select_related("author")
        )
        if section:
            return self.prefetch_related("section", bylines)
        return self.prefetch_related(bylines)


def _related_candidates(article_id: int, tag_ids) -> tuple[dict[int, int], list[int]]:
    """One query for the editor's picks (with their order) and the newest
    pieces carrying any of ``tag_ids`` (at most RELATED_WINDOW)."""
    links = RelatedArticle._meta.db_table
    tagged = TaggedArticle._meta.db_table
    sql = f"SELECT to_article_id, position FROM {links} WHERE from_article_id = %s"
    params: list = [article_id]
    tag_ids = [int(tag_id) for tag_id in tag_ids]
    if tag_ids:
        marks = ", ".join(["%s"] * len(tag_ids))
        sql += (
            f" UNION ALL SELECT content_object_id, NULL FROM ("
            f"SELECT content_object_id FROM {tagged} WHERE tag_id IN ({marks})"
            f" AND content_object_id <> %s ORDER BY content_object_id DESC"
            f" LIMIT %s) recent"
        )
        params += [*tag_ids, article_id, RELATED_WINDOW]
    picks: dict[int, int] = {}
    sharing: list[int] = []
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for pk, position in cursor.fetchall():
            if position is None:
                sharing.append(pk)
            else:
                picks.setdefault(pk, position)
    return picks, sharing


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
        now = timezone.now()
        self.body = sanitize_body(self.body)
        words = len(strip_tags(self.body).split())
        self.reading_time = max(1, math.ceil(words / WORDS_PER_MINUTE))
        if not self.slug:
            self.slug = self._unique_slug()
        was_live = (
            self.first_published_at is not None and self.first_published_at <= now
        )
        if self.status == self.Status.PUBLISHED:
            if self.publish_at is None:
                self.publish_at = now
            if not was_live:
                # Set once, when the piece first goes out; a scheduled piece
                # moved before its time has not been published yet.
                self.first_published_at = self.publish_at
            elif self.pk is not None:
                self.updated_at = now
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
        from .workflow import ArticlePath

        if self.slug:
            taken = (
                ArticlePath.objects.filter(path__endswith=f"/{self.slug}/")
                .exclude(article_id=self.pk)
                .select_related("article")
                .first()
            )
            if taken:
                raise ValidationError(
                    {
                        "slug": _(
                            "The address with this slug still leads readers to "
                            "“%(headline)s”. Choose another slug."
                        )
                        % {"headline": taken.article.headline}
                    }
                )
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


class ArticleAuthor(models.Model):
    """One name in an article's byline, in order."""

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="bylines"
    )
    author = models.ForeignKey(
        Author,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        related_name="bylines",
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("byline")
        verbose_name_plural = _("byline")
        constraints = [
            models.UniqueConstraint(
                fields=["article", "author"], name="articleauthor_unique_author"
            ),
        ]

    def __str__(self):
        return str(self.author)


class KeyTakeaway(models.Model):
    """One point of the "Key takeaways" box: a short label and one sentence."""

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="takeaways"
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    label = models.CharField(
        _("label"),
        max_length=80,
        help_text=_("A few words, e.g. “Strategic Diversification”."),
    )
    text = models.CharField(_("text"), max_length=300, help_text=_("One sentence."))

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("key takeaway")
        verbose_name_plural = _("key takeaways")

    def __str__(self):
        return f"{self.label}: {self.text}"


class RelatedArticle(models.Model):
    """An editor's pick shown under "Related posts", in order."""

    from_article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="related_links"
    )
    to_article = models.ForeignKey(
        Article,
        verbose_name=_("article"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("related article")
        verbose_name_plural = _("related articles")
        constraints = [
            models.UniqueConstraint(
                fields=["from_article", "to_article"], name="relatedarticle_unique"
            ),
            models.CheckConstraint(
                condition=~Q(from_article=models.F("to_article")),
                name="relatedarticle_not_self",
            ),
        ]

    def __str__(self):
        return str(self.to_article)

    def clean(self):
        if self.from_article_id and self.from_article_id == self.to_article_id:
            raise ValidationError(
                {"to_article": _("An article cannot be related to itself.")}
            )


class TaggedArticle(TaggedItemBase):
    """Tags with a real foreign key: taggit's generic relation is slow at scale."""

    content_object = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="tagged_items"
    )

    class Meta:
        verbose_name = _("tagged article")
        verbose_name_plural = _("tagged articles")
        constraints = [
            models.UniqueConstraint(
                fields=["content_object", "tag"], name="taggedarticle_unique"
            ),
        ]
