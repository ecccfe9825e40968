"""The article page's parts in the article's own query: the same objects
prefetching gives, on SQLite and PostgreSQL alike."""

from datetime import timedelta

import pytest
from django.utils import timezone

from articles.models import Article
from articles.selectors import parts
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    CorrectionFactory,
    KeyTakeawayFactory,
)

pytestmark = pytest.mark.django_db

FIELDS = {
    "bylines": ["id", "article_id", "author_id", "position"],
    "author": [
        "id",
        "user_id",
        "name",
        "slug",
        "job_title",
        "bio",
        "photo",
        "photo_renditions",
    ],
    "tags": ["id", "name", "slug"],
    "takeaways": ["id", "article_id", "position", "label", "text"],
    "corrections": [
        "id",
        "kind",
        "text",
        "published_at",
        "created_at",
        "removed_at",
        "editor_id",
    ],
}


def values(objects, names):
    return [tuple(getattr(item, name) for name in names) for item in objects]


@pytest.fixture
def piece(editor):
    renditions = [{"width": 320, "url": "authors/a-320.webp", "type": "image/webp"}]
    authors = [
        AuthorFactory(name="Daniel Perez", job_title="News Editor", bio="Tokyo."),
        AuthorFactory(name="Ama Owusu", photo_renditions=renditions),
        AuthorFactory(name="Ben “Quote” Ünal", job_title=""),
    ]
    article = ArticleFactory(
        authors=authors, tags=["Japan", "United Kingdom", "Defence", "日本"]
    )
    KeyTakeawayFactory(article=article, position=2, label="Second", text="Two.")
    KeyTakeawayFactory(article=article, position=1, label="First", text="One.")
    earlier = timezone.now() - timedelta(days=2, microseconds=7)
    CorrectionFactory(article=article, published_at=earlier, editor=editor)
    CorrectionFactory(article=article, text="Clarified the date.")
    CorrectionFactory(
        article=article,
        removed_at=timezone.now(),
        removal_reason="Wrong piece.",
        text="Gone.",
    )
    for other in ArticleFactory.create_batch(3):
        other.tags.add("Japan")
    article.related.add(ArticleFactory(), ArticleFactory())
    return article


def test_the_parts_equal_what_prefetching_gives(piece, django_assert_num_queries):
    with django_assert_num_queries(1):
        joined = parts.attach(
            parts.with_parts(Article.objects.filter(pk=piece.pk)).get()
        )
        bylines = list(joined.bylines.all())
        tags = list(joined.tags.all())
        takeaways = list(joined.takeaways.all())
        authors = [byline.author for byline in bylines]

    fetched = parts.attach(
        parts.with_parts_prefetched(Article.objects.filter(pk=piece.pk)).get()
    )
    assert values(bylines, FIELDS["bylines"]) == values(
        fetched.bylines.all(), FIELDS["bylines"]
    )
    assert values(authors, FIELDS["author"]) == values(
        [byline.author for byline in fetched.bylines.all()], FIELDS["author"]
    )
    assert [tag.name for tag in tags] == ["Japan", "United Kingdom", "Defence", "日本"]
    assert values(tags, FIELDS["tags"]) == values(
        sorted(fetched.tags.all(), key=lambda tag: tags.index(tag)), FIELDS["tags"]
    )
    assert [t.label for t in takeaways] == ["First", "Second"]
    assert values(takeaways, FIELDS["takeaways"]) == values(
        fetched.takeaways.all(), FIELDS["takeaways"]
    )
    assert values(joined.public_corrections, FIELDS["corrections"]) == values(
        fetched.public_corrections, FIELDS["corrections"]
    )
    assert len(joined.public_corrections) == 2
    picks, sharing = joined.related_candidates
    expected_picks, expected_sharing = fetched.related_candidates
    assert picks == expected_picks and len(picks) == 2
    assert sorted(sharing) == sorted(expected_sharing) and len(sharing) == 3


def test_an_article_without_parts_gets_empty_ones(django_assert_num_queries):
    bare = ArticleFactory(authors=[])

    with django_assert_num_queries(1):
        joined = parts.attach(
            parts.with_parts(Article.objects.filter(pk=bare.pk)).get()
        )
        assert list(joined.bylines.all()) == []
        assert list(joined.tags.all()) == []
        assert list(joined.takeaways.all()) == []
    assert joined.public_corrections == []
    assert joined.related_candidates == ({}, [])


def test_the_parts_arrive_as_text_until_attached(piece):
    """Both databases send the arrays as JSON text: the article page keys its
    fragments by that text and parses it only to render one."""
    fetched = parts.with_parts(Article.objects.filter(pk=piece.pk)).get()

    names = ("bylines", "tags", "takeaways", "corrections", "related")
    assert all(isinstance(getattr(fetched, f"part_{n}"), str) for n in names)
    attached = parts.attach(fetched)
    assert len(attached.bylines.all()) == 3
    author = attached.bylines.all()[1].author
    assert (
        author.photo_renditions
        == type(author).objects.get(pk=author.pk).photo_renditions
    )
    assert len(attached.public_corrections) == 2


def test_attaching_twice_keeps_the_first_parts(piece, django_assert_num_queries):
    fetched = parts.attach(parts.with_parts(Article.objects.filter(pk=piece.pk)).get())
    bylines = fetched.bylines.all()

    with django_assert_num_queries(0):
        again = parts.attach(fetched)

    assert again.bylines.all() is bylines
