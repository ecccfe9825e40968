"""RSS 2.0 and Atom 1.0 feeds of published articles.

One feed for the whole site and one per section, tag and author, each in both
formats, and one of corrections. Every link carries the canonical origin
(``settings.NEWSROOM_SITE_URL``), never the host the request came in on, so a
copy cached by a CDN or fetched under another name still points readers to the
real site. A lead image's enclosure points where the media is served: this site,
or the bucket or CDN of an absolute ``MEDIA_URL``.
"""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models import Exists, OuterRef, Subquery
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.feedgenerator import Atom1Feed, Enclosure, Rss201rev2Feed
from django.utils.html import escape, linebreaks
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from taggit.models import Tag

from . import metadata
from .models import (
    Article,
    Author,
    Correction,
    Section,
    TaggedArticle,
)
from .selectors import listed
from .selectors.corrections import public_corrections

FEED_ITEMS = 30
FEED_MAX_AGE = 300  # seconds; full HTTP caching comes with the caching issue


# What an item prints of its article (the body and the search index are the
# bulk of a row and are not printed).
ITEM_FIELDS = (
    "headline",
    "slug",
    "dek",
    "publish_at",
    "created_at",
    "updated_at",
    "lead_image_renditions",
)


def _absolute(path: str) -> str:
    return settings.NEWSROOM_SITE_URL + path


def with_names(articles: list[Article]) -> list[Article]:
    """``articles`` with their byline's authors (``feed_authors``, in byline
    order, as lists print them: ``selectors.listed``) and their tags' names
    (``feed_tags``, sorted), in one query each. Prefetching built a queryset
    and model instances per piece and per tag: most of a feed's render."""
    ids = [article.pk for article in articles]
    bylines = listed.bylines_of(ids)
    tags: dict[int, list[str]] = {pk: [] for pk in ids}
    tagged = TaggedArticle.objects.filter(content_object_id__in=ids).values_list(
        "content_object_id", "tag__name"
    )
    for article_id, name in tagged:
        tags[article_id].append(name)
    for article in articles:
        article.feed_authors = [byline.author for byline in bylines.get(article.pk, ())]
        article.feed_tags = sorted(tags[article.pk])
    return articles


class PublicFeed(Feed):
    """A feed anyone may cache for a while."""

    def __call__(self, request, *args, **kwargs):
        response = super().__call__(request, *args, **kwargs)
        patch_cache_control(response, public=True, max_age=FEED_MAX_AGE)
        return response


class LatestArticlesFeed(PublicFeed):
    """The newest published articles; subclasses narrow them to one object."""

    feed_type = Rss201rev2Feed
    url_name = "articles:feed"  # "-rss" or "-atom" is added from feed_type
    item_guid_is_permalink = True

    # What the feed is about. ``obj`` is None here, the section, tag or author
    # in the subclasses.

    def articles(self, obj):
        return Article.objects.published()

    def page_url(self, obj) -> str:
        return reverse("articles:front-page")

    def title(self, obj) -> str:
        return settings.NEWSROOM_SITE_NAME

    def description(self, obj) -> str:
        return _("The latest articles from %(site)s") % {
            "site": settings.NEWSROOM_SITE_NAME
        }

    def subtitle(self, obj) -> str:
        # Atom's name for the description; RSS ignores it.
        return self.description(obj)

    def author_name(self, obj) -> str:
        # Atom wants an author for every entry; the publication stands in for
        # entries without a byline.
        return settings.NEWSROOM_SITE_NAME

    def link(self, obj) -> str:
        return _absolute(self.page_url(obj))

    def feed_url(self, obj) -> str:
        suffix = "atom" if issubclass(self.feed_type, Atom1Feed) else "rss"
        kwargs = {"slug": obj.slug} if obj is not None else {}
        return _absolute(reverse(f"{self.url_name}-{suffix}", kwargs=kwargs))

    def items(self, obj):
        newest_correction = (
            Correction.objects.public()
            .filter(article=OuterRef("pk"))
            .order_by("-published_at")
            .values("published_at")[:1]
        )
        articles = list(
            self.articles(obj)
            .annotate(corrected_at=Subquery(newest_correction))
            .only(*ITEM_FIELDS)
            .order_by("-publish_at", "-pk")[:FEED_ITEMS]
        )
        return with_names(articles)

    # One article.

    def item_title(self, article: Article) -> str:
        # Plain text, escaped once by the XML writer. Django's default escapes
        # it a second time, which Atom readers show as "&#x27;" in headlines.
        return article.headline

    def item_description(self, article: Article) -> str | None:
        # Both formats read the description as HTML (Atom: summary type="html");
        # the dek is plain text an editor typed.
        return escape(article.dek) if article.dek else None

    def item_link(self, article: Article) -> str:
        return _absolute(article.get_absolute_url())

    def item_pubdate(self, article: Article):
        return article.publish_at

    def item_updateddate(self, article: Article):
        # The same rule as the page's dateModified: a correction is a change.
        return metadata.date_modified(article, corrected_at=article.corrected_at)

    def item_author_name(self, article: Article) -> str | None:
        return ", ".join(author.name for author in article.feed_authors) or None

    def item_author_link(self, article: Article) -> str | None:
        authors = article.feed_authors
        if len(authors) != 1:
            return None  # one link cannot stand for several names
        return _absolute(authors[0].get_absolute_url())

    def item_categories(self, article: Article) -> list[str]:
        return article.feed_tags

    def item_enclosures(self, article: Article) -> list[Enclosure]:
        """The lead image's widest JPEG/PNG, at its absolute address (the
        bucket's or CDN's when media is stored there, else the site's).

        RSS allows one enclosure and requires its length: renditions made
        before their size was recorded say 0, as the RSS board advises."""
        image = metadata.largest_image(article.lead_image_renditions)
        if image is None:
            return []
        return [
            Enclosure(
                image["absolute_url"],
                str(image.get("bytes", 0)),
                f"image/{image['format']}",
            )
        ]


class LatestArticlesAtomFeed(LatestArticlesFeed):
    feed_type = Atom1Feed


class ObjectFeed(LatestArticlesFeed):
    """The newest published articles of one section, tag or author, by slug."""

    model = None
    article_filter = ""  # the article field that names the object
    description_text = ""  # with %(name)s and %(site)s

    def get_object(self, request, slug):
        return get_object_or_404(self.model, slug=slug)

    def articles(self, obj):
        return self.linked(super().articles(obj), obj)

    def linked(self, articles, obj):
        """``articles`` narrowed to the object's own."""
        return articles.filter(**{self.article_filter: obj})

    def page_url(self, obj) -> str:
        return obj.get_absolute_url()

    def title(self, obj) -> str:
        return f"{obj.name} – {settings.NEWSROOM_SITE_NAME}"

    def description(self, obj) -> str:
        return _(self.description_text) % {
            "name": obj.name,
            "site": settings.NEWSROOM_SITE_NAME,
        }


class SectionFeed(ObjectFeed):
    url_name = "articles:section-feed"
    model = Section
    article_filter = "section"
    description_text = gettext_noop("The latest articles in %(name)s from %(site)s")

    def description(self, section) -> str:
        return section.description or super().description(section)


class SectionAtomFeed(SectionFeed):
    feed_type = Atom1Feed


class TagFeed(ObjectFeed):
    url_name = "articles:tag-feed"
    model = Tag
    article_filter = "tags"
    description_text = gettext_noop("The latest articles tagged %(name)s from %(site)s")

    def get_object(self, request, slug):
        # A tag only drafts carry may name a story not out yet: unknown here.
        published = Article.objects.published().filter(tags=OuterRef("pk"))
        return get_object_or_404(Tag.objects.filter(Exists(published)), slug=slug)

    def linked(self, articles, tag):
        return articles.tagged(tag)

    def page_url(self, tag) -> str:
        return reverse("articles:tag-detail", kwargs={"slug": tag.slug})


class TagAtomFeed(TagFeed):
    feed_type = Atom1Feed


class AuthorFeed(ObjectFeed):
    url_name = "articles:author-feed"
    model = Author
    article_filter = "authors"
    description_text = gettext_noop("The latest articles by %(name)s from %(site)s")

    def linked(self, articles, author):
        return articles.by_author(author)


class AuthorAtomFeed(AuthorFeed):
    feed_type = Atom1Feed


class CorrectionsFeed(PublicFeed):
    """The newest corrections, clarifications and updates of published pieces.

    Each item links to the corrected article's corrections and has an id of its
    own, so a reader's feed shows a second correction of the same piece.
    """

    feed_type = Rss201rev2Feed
    url_name = "articles:corrections-feed"
    item_guid_is_permalink = True
    titles = {
        Correction.Kind.CORRECTION: gettext_noop("Correction to: %(headline)s"),
        Correction.Kind.CLARIFICATION: gettext_noop("Clarification to: %(headline)s"),
        Correction.Kind.UPDATE: gettext_noop("Update to: %(headline)s"),
    }

    def title(self) -> str:
        return _("Corrections – %(site)s") % {"site": settings.NEWSROOM_SITE_NAME}

    def description(self) -> str:
        return _("Corrections, clarifications and updates from %(site)s") % {
            "site": settings.NEWSROOM_SITE_NAME
        }

    def subtitle(self) -> str:
        return self.description()

    def author_name(self) -> str:
        return settings.NEWSROOM_SITE_NAME

    def link(self) -> str:
        return _absolute(reverse("articles:corrections"))

    def feed_url(self) -> str:
        suffix = "atom" if issubclass(self.feed_type, Atom1Feed) else "rss"
        return _absolute(reverse(f"{self.url_name}-{suffix}"))

    def items(self):
        return public_corrections()[:FEED_ITEMS]

    def item_title(self, correction: Correction) -> str:
        return _(self.titles[correction.kind]) % {
            "headline": correction.article.headline
        }

    def item_description(self, correction: Correction) -> str:
        # Plain text an editor typed, as the HTML both formats expect.
        return linebreaks(correction.text, autoescape=True)

    def item_link(self, correction: Correction) -> str:
        return _absolute(correction.article.get_absolute_url()) + "#corrections"

    def item_guid(self, correction: Correction) -> str:
        # The correction's own place on the article page.
        return _absolute(correction.article.get_absolute_url()) + (
            f"#correction-{correction.pk}"
        )

    def item_pubdate(self, correction: Correction):
        return correction.published_at

    def item_updateddate(self, correction: Correction):
        return correction.published_at


class CorrectionsAtomFeed(CorrectionsFeed):
    feed_type = Atom1Feed
