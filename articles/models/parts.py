"""
The parts of an article, each an ordered row of its own: bylines, key
takeaways, editor's picks, and tags through a real foreign key.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from taggit.models import TaggedItemBase

from .author import Author


class ArticleAuthor(models.Model):
    """One name in an article's byline, in order."""

    article = models.ForeignKey(
        "articles.Article", on_delete=models.CASCADE, related_name="bylines"
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
        "articles.Article", on_delete=models.CASCADE, related_name="takeaways"
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
    """An editor's pick shown under "Related articles", in order."""

    from_article = models.ForeignKey(
        "articles.Article", on_delete=models.CASCADE, related_name="related_links"
    )
    to_article = models.ForeignKey(
        "articles.Article",
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
        "articles.Article", on_delete=models.CASCADE, related_name="tagged_items"
    )

    class Meta:
        verbose_name = _("tagged article")
        verbose_name_plural = _("tagged articles")
        constraints = [
            models.UniqueConstraint(
                fields=["content_object", "tag"], name="taggedarticle_unique"
            ),
        ]
