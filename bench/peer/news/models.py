"""The peer's one page type: a news article, as a Wagtail site would model it."""

from django.db import models
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page


class ArticlePage(Page):
    """Headline, dek, byline and a rich-text body. ``title`` (Wagtail's own
    field, the page's name in the admin and in ``<title>``) holds the
    headline too."""

    headline = models.CharField(max_length=300)
    dek = models.CharField(max_length=500, blank=True)
    byline = models.CharField(max_length=500, blank=True)
    body = RichTextField(blank=True)

    content_panels = [
        *Page.content_panels,
        FieldPanel("headline"),
        FieldPanel("dek"),
        FieldPanel("byline"),
        FieldPanel("body"),
    ]
