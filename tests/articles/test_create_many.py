"""``article_create_many``: an import's new articles checked one by one and
written together, with the same rows, history and refusals as
``article_create``."""

import pytest
from django.core import serializers
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext
from reversion.models import Version

from articles.models import (
    Article,
    ArticleAuthor,
    ArticlePath,
    ArticleTransition,
    Section,
)
from articles.selectors.revisions import version_fields
from articles.services import NewArticle, article_create, article_create_many
from articles.services import many as many_module
from tests.factories import ArticleFactory, AuthorFactory, SectionFactory

pytestmark = pytest.mark.django_db


def _rows(section, count, *, prefix="piece"):
    author = AuthorFactory()
    return [
        NewArticle(
            fields={
                "headline": f"Piece {n}",
                "body": f"<p>Body {n}</p><script>x</script>",
                "section": section,
            },
            slug=f"{prefix}-{n}",
            bylines=[author],
            tags=["Budget", f"Tag {n % 2}"],
            action="publish",
        )
        for n in range(count)
    ]


def test_the_rows_match_what_article_create_writes(editor):
    section = SectionFactory()
    [single] = _rows(section, 1, prefix="single")
    one = article_create(user=editor, **single.arguments())
    [many] = article_create_many(user=editor, rows=_rows(section, 1))

    for article in (one, many):
        article.refresh_from_db()
        assert article.status == Article.Status.PUBLISHED
        assert "<script>" not in article.body
        assert article.first_published_at is not None
        assert sorted(article.tags.names()) == ["Budget", "Tag 0"]
        assert ArticleAuthor.objects.filter(article=article).count() == 1
        assert ArticleTransition.objects.filter(article=article).count() == 1
    versions = [Version.objects.get_for_object(article) for article in (one, many)]
    assert [len(found) for found in versions] == [1, 1]
    assert versions[0][0].revision.comment == versions[1][0].revision.comment
    # The same parts followed into the revision.
    assert sorted(
        v.content_type.model for v in versions[0][0].revision.version_set.all()
    ) == sorted(v.content_type.model for v in versions[1][0].revision.version_set.all())


def test_each_article_has_a_revision_of_its_own(editor):
    created = article_create_many(user=editor, rows=_rows(SectionFactory(), 3))
    revisions = {Version.objects.get_for_object(a).get().revision_id for a in created}
    assert len(revisions) == 3


def test_a_bad_row_is_refused_with_its_reason_and_the_rest_go_in(editor):
    rows = _rows(SectionFactory(), 4)
    rows[2].fields["headline"] = ""
    results = article_create_many(user=editor, rows=rows)

    assert isinstance(results[2], ValidationError)
    assert "headline" in results[2].message_dict
    assert [isinstance(r, Article) for r in results] == [True, True, False, True]
    assert Article.objects.count() == 3
    assert not Article.objects.filter(slug="piece-2").exists()


def test_two_rows_wanting_one_slug_the_second_is_refused_before_any_write(editor):
    rows = _rows(SectionFactory(), 3)
    rows[2].slug = rows[0].slug
    results = article_create_many(user=editor, rows=rows)

    assert [type(r).__name__ for r in results[:2]] == ["Article", "Article"]
    assert "already exists" in results[2].message_dict["slug"][0]
    assert Article.objects.count() == 2


def test_a_slug_an_old_address_leads_elsewhere_from_is_refused_with_its_headline(
    editor,
):
    other = ArticleFactory(headline="The other piece")
    prefix = other.get_absolute_url().split("/20")[0]
    ArticlePath.objects.create(path=f"{prefix}/2020/01/02/piece-1/", article=other)
    results = article_create_many(user=editor, rows=_rows(SectionFactory(), 2))

    assert isinstance(results[0], Article)
    assert "The other piece" in results[1].message_dict["slug"][0]


def test_a_section_that_no_longer_exists_is_refused_with_the_fields_words(editor):
    rows = _rows(SectionFactory(), 2)
    gone = SectionFactory()
    rows[1].fields["section"] = Section(pk=gone.pk, name=gone.name, slug=gone.slug)
    gone.delete()
    results = article_create_many(user=editor, rows=rows)

    assert isinstance(results[0], Article)
    assert "not a valid choice" in results[1].message_dict["section"][0]


def test_a_write_that_fails_leaves_nothing_and_each_row_goes_alone(editor, monkeypatch):
    real = many_module.rows_insert

    def failing(model, objs, **kwargs):
        if model is ArticleTransition:
            raise IntegrityError("refused by the database")
        return real(model, objs, **kwargs)

    monkeypatch.setattr(many_module, "rows_insert", failing)
    results = article_create_many(user=editor, rows=_rows(SectionFactory(), 3))

    assert [type(r).__name__ for r in results] == ["Article"] * 3
    # Nothing of the failed bulk write is left behind: one transition,
    # one byline and one revision per article, from article_create.
    assert Article.objects.count() == 3
    assert ArticleTransition.objects.count() == 3
    assert ArticleAuthor.objects.count() == 3
    assert Version.objects.filter(content_type__model="article").count() == 3


def test_each_version_holds_what_django_reversion_would_serialise(editor):
    [article] = article_create_many(user=editor, rows=_rows(SectionFactory(), 1))
    versions = Version.objects.get_for_object(article).get().revision.version_set
    for version in versions.all():
        obj = version.object
        assert version.serialized_data == serializers.serialize(
            "json", (obj,), fields=version_fields(type(obj))
        )


def test_the_write_costs_the_same_queries_for_more_rows(editor, monkeypatch):
    section = SectionFactory()
    article_create_many(user=editor, rows=_rows(section, 2, prefix="warm"))
    counts = []
    checks = []
    real = many_module.prepare_create

    def counted(**kwargs):
        with CaptureQueriesContext(connection) as queries:
            result = real(**kwargs)
        checks.append(len(queries))
        return result

    monkeypatch.setattr(many_module, "prepare_create", counted)
    for size in (2, 8):
        checks.clear()
        with CaptureQueriesContext(connection) as queries:
            article_create_many(
                user=editor, rows=_rows(section, size, prefix=f"s{size}")
            )
        counts.append(len(queries) - sum(checks))
    # Beyond each row's own checks (its full_clean), the write is a fixed
    # number of INSERTs however many rows there are.
    assert counts[0] == counts[1]
