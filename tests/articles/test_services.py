"""Every writer of an article gets the same write from the services: the row and
its parts, renditions, search vector, old addresses and purges."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from reversion.models import Version

from articles import cache
from articles.models import (
    Article,
    ArticleAuthor,
    ArticleConflict,
    ArticlePath,
    KeyTakeaway,
    RelatedArticle,
)
from articles.services import (
    article_batch,
    article_create,
    article_delete,
    article_update,
)
from caching import purges
from tests.articles.test_images import noisy_jpeg
from tests.factories import ArticleFactory, AuthorFactory, SectionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


class Purges(list):
    """The tags each purge bumps; ``committed()`` runs a block's on-commit
    callbacks as its commit would (the test's transaction never commits)."""

    def __init__(self, capture):
        super().__init__()
        self.committed = lambda: capture(execute=True)


@pytest.fixture
def purged(monkeypatch, django_capture_on_commit_callbacks):
    calls = Purges(django_capture_on_commit_callbacks)
    monkeypatch.setattr(purges, "purge_now", lambda *tags, **_: calls.append(set(tags)))
    return calls


@pytest.fixture
def authors():
    return [
        AuthorFactory(name="Daniel Perez", slug="daniel-perez"),
        AuthorFactory(name="Kenji Sato", slug="kenji-sato"),
    ]


def fields(section, **extra):
    return {
        "headline": "UK Considers Security Treaty with Japan",
        "dek": "Japan and the United Kingdom deepen security ties.",
        "body": "<p>Officials met in Tokyo.</p><script>alert(1)</script>",
        "section": section,
        **extra,
    }


def create(editor, **kwargs):
    kwargs.setdefault("fields", fields(SectionFactory()))
    return article_create(user=editor, **kwargs)


# Create and update -----------------------------------------------------------------


def test_create_stores_the_row_and_every_part_in_order(editor, authors):
    pick = ArticleFactory(headline="An earlier piece")

    article = create(
        editor,
        bylines=[authors[1], authors[0]],
        tags=["Japan", "Defence"],
        takeaways=[("Diversification", "Ties beyond the US."), ("Timing", "Soon.")],
        related=[pick],
    )

    article.refresh_from_db()
    assert article.status == Article.Status.DRAFT
    assert article.version == 1
    assert article.created_by == article.last_edited_by == editor
    assert "<script>" not in article.body
    assert [a.slug for a in article.byline_authors] == ["kenji-sato", "daniel-perez"]
    assert sorted(t.name for t in article.tags.all()) == ["Defence", "Japan"]
    assert [t.label for t in article.takeaways.all()] == ["Diversification", "Timing"]
    assert [link.to_article for link in article.related_links.all()] == [pick]
    assert Version.objects.get_for_object(article).count() == 1


def test_create_with_a_transition_publishes_in_the_same_write(editor):
    article = create(editor, action="publish")

    article.refresh_from_db()
    assert article.is_published()
    assert article.first_published_at == article.publish_at
    assert article.transitions.get().to_status == Article.Status.PUBLISHED


def test_update_replaces_the_parts_given_and_keeps_the_others(editor, authors):
    article = create(
        editor,
        bylines=[authors[0]],
        tags=["Japan"],
        takeaways=[("Start", "Talks began.")],
    )

    article_update(
        article=article,
        user=editor,
        expected_version=article.version,
        fields={"headline": "Treaty talks stall"},
        bylines=[authors[1]],
        tags=["Defence"],
    )

    article.refresh_from_db()
    assert article.headline == "Treaty talks stall"
    assert article.version == 2
    assert [a.slug for a in article.byline_authors] == ["kenji-sato"]
    assert [t.name for t in article.tags.all()] == ["Defence"]
    assert [t.label for t in article.takeaways.all()] == ["Start"]


def test_a_stale_update_is_refused_and_writes_nothing(editor, authors):
    article = create(editor, bylines=[authors[0]])
    stale = Article.objects.get(pk=article.pk)
    article_update(
        article=article,
        user=editor,
        expected_version=article.version,
        fields={"dek": "Saved first."},
    )

    with pytest.raises(ArticleConflict):
        article_update(
            article=stale,
            user=editor,
            expected_version=stale.version,
            fields={"dek": "Saved second."},
            bylines=[authors[1]],
        )

    article.refresh_from_db()
    assert (article.dek, article.version) == ("Saved first.", 2)
    assert [a.slug for a in article.byline_authors] == ["daniel-perez"]


# What the service does besides the row ------------------------------------------


def test_a_lead_image_written_by_the_service_gets_its_renditions(editor, media):
    article = create(
        editor,
        fields=fields(
            SectionFactory(),
            lead_image=SimpleUploadedFile("tokyo.jpg", noisy_jpeg((1400, 900))),
            lead_image_alt="Ministers shake hands",
        ),
    )

    article.refresh_from_db()
    widths = {rendition["width"] for rendition in article.lead_image_renditions}
    assert {320, 1280} <= widths


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="search vectors live on PostgreSQL"
)
def test_the_service_keeps_the_search_vector(editor):
    article = create(editor)
    article_update(
        article=article,
        user=editor,
        expected_version=article.version,
        fields={"headline": "Submarine pact"},
    )

    found = Article.objects.filter(search_vector="submarine")
    assert list(found) == [article]


def test_a_slug_changed_by_the_service_leaves_a_301(client, editor):
    article = create(editor, action="publish")
    old_url = article.get_absolute_url()

    article_update(
        article=article,
        user=editor,
        expected_version=article.version,
        fields={"slug": "uk-japan-treaty"},
    )

    assert ArticlePath.objects.get().path == old_url
    response = client.get(old_url)
    assert response.status_code == 301
    assert response["Location"] == article.get_absolute_url() != old_url


def test_the_service_purges_the_lists_the_piece_left(editor, authors, purged):
    old_section, new_section = SectionFactory(), SectionFactory()
    article = create(
        editor,
        fields=fields(old_section),
        bylines=[authors[0]],
        tags=["Japan"],
        action="publish",
    )
    japan = article.tags.get().pk

    with purged.committed():
        article_update(
            article=article,
            user=editor,
            expected_version=article.version,
            fields={"section": new_section},
            bylines=[authors[1]],
            tags=["Defence"],
        )

    (tags,) = purged
    defence = article.tags.get().pk
    assert {
        cache.article_tag(article.pk),
        cache.list_tag(section=old_section.pk),
        cache.list_tag(section=new_section.pk),
        cache.list_tag(tag=japan),
        cache.list_tag(tag=defence),
        cache.list_tag(author=authors[0].pk),
        cache.list_tag(author=authors[1].pk),
        cache.list_tag("front"),
    } <= tags


def test_a_draft_never_published_purges_nothing(editor, purged):
    with purged.committed():
        article = create(editor)
        article_update(
            article=article,
            user=editor,
            expected_version=article.version,
            fields={"dek": "Still a draft."},
        )

    assert purged == []


def test_deleting_purges_the_lists_it_was_on(editor, authors, purged):
    article = create(editor, bylines=[authors[0]], tags=["Japan"], action="publish")
    japan = article.tags.get().pk

    with purged.committed():
        article_delete(article=Article.objects.get(pk=article.pk), user=editor)

    (tags,) = purged
    assert not Article.objects.exists()
    assert {
        cache.list_tag(tag=japan),
        cache.list_tag(author=authors[0].pk),
    } <= tags


# Bad input: the exact message, and nothing stored ---------------------------------


def test_invalid_fields_raise_the_fields_message_and_write_nothing(editor, purged):
    with pytest.raises(ValidationError) as error, purged.committed():
        create(editor, fields=fields(SectionFactory(), video_title="A video"))

    assert error.value.message_dict["video_url"] == [
        "Add the video's link, or remove its title."
    ]
    assert not Article.objects.exists()
    assert purged == []


def test_an_invalid_takeaway_writes_nothing(editor):
    article = create(editor, takeaways=[("Start", "Talks began.")])

    with pytest.raises(ValidationError) as error:
        article_update(
            article=article,
            user=editor,
            expected_version=article.version,
            fields={"headline": "Never saved"},
            takeaways=[("x" * 81, "Too long a label.")],
        )

    assert "label" in error.value.message_dict
    article.refresh_from_db()
    assert article.headline != "Never saved"
    assert article.version == 1
    assert [t.label for t in KeyTakeaway.objects.all()] == ["Start"]


def test_an_article_cannot_be_its_own_related_piece(editor):
    article = create(editor)

    with pytest.raises(ValidationError) as error:
        article_update(
            article=article,
            user=editor,
            expected_version=article.version,
            related=[article],
        )

    assert error.value.message_dict["related"] == [
        "An article cannot be related to itself."
    ]
    assert not RelatedArticle.objects.exists()


def test_the_state_is_not_an_editable_field(editor):
    article = create(editor)

    with pytest.raises(ValidationError) as error:
        article_update(
            article=article,
            user=editor,
            expected_version=article.version,
            fields={"status": Article.Status.PUBLISHED},
        )

    assert "transition" in error.value.messages[0]
    assert Article.objects.get().status == Article.Status.DRAFT


def test_someone_without_the_permission_writes_nothing(moderator):
    with pytest.raises(PermissionDenied):
        create(moderator)

    assert not Article.objects.exists()


# Bulk writes -------------------------------------------------------------------------


def test_a_batch_purges_once_for_every_piece_and_list(editor, authors, purged):
    section = SectionFactory()

    with purged.committed(), article_batch():
        made = [
            article_create(
                user=editor,
                fields=fields(section, headline=f"Imported {n}", slug=f"imported-{n}"),
                bylines=[authors[n % 2]],
                tags=[f"Tag {n}"],
                action="publish",
            )
            for n in range(3)
        ]
        assert purged == []  # nothing before the end of the batch

    (tags,) = purged
    assert {cache.article_tag(article.pk) for article in made} <= tags
    assert {cache.list_tag(author=author.pk) for author in authors} <= tags
    assert {cache.list_tag(tag=article.tags.get().pk) for article in made} <= tags
    assert cache.list_tag(section=section.pk) in tags
    assert Article.objects.published().count() == 3


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="search vectors live on PostgreSQL"
)
def test_a_batch_refreshes_every_search_vector(editor):
    section = SectionFactory()
    with article_batch():
        for n in range(3):
            article_create(
                user=editor,
                fields=fields(section, headline=f"Submarine {n}", slug=f"sub-{n}"),
            )

    assert Article.objects.filter(search_vector="submarine").count() == 3


def test_a_failing_row_rolls_the_batch_back_and_purges_nothing(editor, purged):
    section = SectionFactory()

    with pytest.raises(ValidationError), purged.committed(), article_batch():
        article_create(
            user=editor, fields=fields(section, slug="first"), action="publish"
        )
        article_create(user=editor, fields=fields(section, slug="first"))

    assert not Article.objects.exists()
    assert not ArticleAuthor.objects.exists()
    assert purged == []


def test_batches_do_not_nest(editor):
    with pytest.raises(RuntimeError), article_batch(), article_batch():
        pass
