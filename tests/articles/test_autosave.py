"""Autosaves: the editor's unsaved form kept on the server, offered back, and
never a revision or a version bump."""

import json
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from reversion.models import Version

from articles import services
from articles.models import Article, Autosave
from articles.selectors.autosaves import autosave_offer
from articles.services.autosaves import MAX_BYTES
from tests.articles.test_roles import article_form
from tests.factories import ArticleFactory, SectionFactory, UserFactory

pytestmark = pytest.mark.django_db

DRAFT = "0f8a3c1e-5b7d-4e2a-9c6f-1a2b3c4d5e6f"


@pytest.fixture
def own_draft(writer):
    return ArticleFactory(status="draft", publish_at=None, created_by=writer)


def autosave_url(article=None):
    if article is None:
        return reverse("admin:articles_article_autosave_new")
    return reverse("admin:articles_article_autosave", args=[article.pk])


def post_autosave(client, article=None, data=None, **extra):
    payload = {"data": json.dumps(data or {"body": "<p>Half a sentence</p>"})}
    if article is not None:
        payload["version"] = str(article.version)
    return client.post(autosave_url(article), {**payload, **extra})


# The service ----------------------------------------------------------------


def test_an_autosave_is_one_row_overwritten_without_revision_or_version_bump(
    writer, own_draft
):
    version = own_draft.version

    services.autosave_store(
        user=writer, article=own_draft, data={"body": "one"}, base_version=version
    )
    services.autosave_store(
        user=writer, article=own_draft, data={"body": "two"}, base_version=version
    )

    assert list(Autosave.objects.values_list("data", flat=True)) == [{"body": "two"}]
    own_draft.refresh_from_db()
    assert own_draft.version == version
    assert not Version.objects.get_for_object(own_draft).exists()


def test_a_writer_cannot_autosave_someone_elses_article(writer):
    article = ArticleFactory(status="draft", publish_at=None)

    with pytest.raises(PermissionDenied):
        services.autosave_store(user=writer, article=article, data={"body": "x"})

    assert not Autosave.objects.exists()


def test_an_oversized_autosave_is_refused_and_nothing_stored(writer, own_draft):
    with pytest.raises(services.AutosaveTooLarge, match="too large to autosave"):
        services.autosave_store(
            user=writer, article=own_draft, data={"body": "x" * (MAX_BYTES + 1)}
        )

    assert not Autosave.objects.exists()


def test_a_new_article_is_autosaved_by_user_and_draft_id(writer, editor):
    services.autosave_store(user=writer, draft_key=DRAFT, data={"headline": "W"})
    services.autosave_store(user=editor, draft_key=DRAFT, data={"headline": "E"})
    services.autosave_store(user=writer, draft_key=DRAFT, data={"headline": "W2"})

    assert Autosave.objects.count() == 2
    assert autosave_offer(user=writer, article=None).data == {"headline": "W2"}
    with pytest.raises(ValidationError):
        services.autosave_store(user=writer, draft_key="../x", data={})


def test_autosaves_nobody_came_back_to_are_dropped_after_30_days(writer, own_draft):
    services.autosave_store(user=writer, draft_key=DRAFT, data={})
    Autosave.objects.update(saved_at=timezone.now() - timedelta(days=31))
    services.autosave_store(user=writer, article=own_draft, data={})

    assert list(Autosave.objects.values_list("article", flat=True)) == [own_draft.pk]


def test_an_autosave_is_offered_only_when_newer_than_the_saved_article(
    writer, own_draft
):
    autosave = services.autosave_store(
        user=writer, article=own_draft, data={}, base_version=own_draft.version
    )
    assert autosave_offer(user=writer, article=own_draft) == autosave
    assert not autosave_offer(user=writer, article=own_draft).is_stale

    Autosave.objects.update(saved_at=own_draft.modified_at - timedelta(seconds=1))
    assert autosave_offer(user=writer, article=own_draft) is None


def test_an_autosave_from_an_older_version_is_stale(writer, own_draft):
    services.autosave_store(
        user=writer, article=own_draft, data={}, base_version=own_draft.version
    )
    Article.objects.filter(pk=own_draft.pk).update(version=own_draft.version + 1)
    own_draft.refresh_from_db()
    Autosave.objects.update(saved_at=timezone.now() + timedelta(seconds=5))

    assert autosave_offer(user=writer, article=own_draft).is_stale


# The endpoint ---------------------------------------------------------------


def test_the_endpoint_stores_the_form_and_answers_json(
    client, writer, own_draft, django_assert_max_num_queries
):
    client.force_login(writer)

    # Session, user, article, permissions (2), the row (read, write), the
    # savepoints of the service and update_or_create, and the first time only
    # the DELETE of forgotten autosaves; every later beat the same.
    with django_assert_max_num_queries(14):
        response = post_autosave(client, own_draft)
    for _beat in range(3):
        with django_assert_max_num_queries(12):
            post_autosave(client, own_draft)

    assert response.status_code == 200
    answer = response.json()
    assert answer["message"].startswith("Autosaved at ")
    assert answer["stale"] is False
    assert Autosave.objects.get().data == {"body": "<p>Half a sentence</p>"}


def test_the_endpoint_refuses_another_writers_article_with_403(client, writer):
    article = ArticleFactory(status="draft", publish_at=None)
    client.force_login(writer)

    response = post_autosave(client, article)

    assert response.status_code == 403
    assert response.json()["error"] == "You may not edit this article."
    assert not Autosave.objects.exists()


def test_the_endpoint_refuses_an_oversized_payload_with_413(client, writer, own_draft):
    client.force_login(writer)

    response = post_autosave(client, own_draft, data={"body": "x" * MAX_BYTES})

    assert response.status_code == 413
    assert "too large to autosave" in response.json()["error"]
    assert not Autosave.objects.exists()


def test_the_endpoint_flags_a_stale_base_version(client, writer, own_draft):
    client.force_login(writer)

    response = post_autosave(client, own_draft, version=str(own_draft.version - 1))

    assert response.json()["stale"] is True


def test_the_endpoint_refuses_what_is_not_a_form(client, writer, own_draft):
    client.force_login(writer)

    response = client.post(autosave_url(own_draft), {"data": "{not json"})

    assert response.status_code == 400
    assert not Autosave.objects.exists()


def test_the_endpoint_needs_post_and_a_csrf_token(writer, own_draft):
    client = Client(enforce_csrf_checks=True)
    client.force_login(writer)

    assert client.get(autosave_url(own_draft)).status_code == 405
    assert post_autosave(client, own_draft).status_code == 403
    assert not Autosave.objects.exists()


def test_the_endpoint_discards(client, writer, own_draft):
    services.autosave_store(user=writer, article=own_draft, data={})
    client.force_login(writer)

    response = client.post(autosave_url(own_draft), {"discard": "1"})

    assert response.json() == {"discarded": True}
    assert not Autosave.objects.exists()


def test_a_new_article_is_autosaved_through_the_endpoint(client, writer):
    client.force_login(writer)

    response = post_autosave(client, None, draft=DRAFT)

    assert response.status_code == 200
    assert Autosave.objects.get().draft_key == DRAFT


# The change form ------------------------------------------------------------


def test_the_change_form_offers_a_newer_autosave(client, writer, own_draft):
    services.autosave_store(
        user=writer,
        article=own_draft,
        data={"body": "<p>Kept</p>", "loaded_version": 1},
        base_version=own_draft.version,
    )
    client.force_login(writer)

    response = client.get(reverse("admin:articles_article_change", args=[own_draft.pk]))

    page = response.content.decode()
    assert "is newer than the saved article" in page
    assert "Restore" in page and "Discard" in page
    assert "It was made from version" not in page
    # The form's own version is never restored from an autosave.
    assert response.context["autosave_data"] == {"body": "<p>Kept</p>"}


def test_the_change_form_says_when_the_autosave_is_older_than_the_article(
    client, writer, own_draft
):
    services.autosave_store(
        user=writer, article=own_draft, data={}, base_version=own_draft.version
    )
    Article.objects.filter(pk=own_draft.pk).update(version=own_draft.version + 1)
    Autosave.objects.update(saved_at=timezone.now() + timedelta(seconds=5))
    client.force_login(writer)

    response = client.get(reverse("admin:articles_article_change", args=[own_draft.pk]))

    assert "It was made from version" in response.content.decode()


def test_saving_the_article_drops_the_autosave(client, writer, own_draft):
    services.autosave_store(user=writer, article=own_draft, data={})
    other = UserFactory(username="other-writer")
    Autosave.objects.create(
        user=other, article=own_draft, data={}, saved_at=timezone.now()
    )
    client.force_login(writer)

    response = client.post(
        reverse("admin:articles_article_change", args=[own_draft.pk]),
        article_form(own_draft.section, loaded_version=own_draft.version),
    )

    assert response.status_code == 302
    assert list(Autosave.objects.values_list("user", flat=True)) == [other.pk]


def test_a_refused_save_keeps_the_autosave(client, writer, own_draft):
    services.autosave_store(user=writer, article=own_draft, data={})
    client.force_login(writer)

    response = client.post(
        reverse("admin:articles_article_change", args=[own_draft.pk]),
        article_form(own_draft.section, loaded_version=own_draft.version - 1),
    )

    assert response.status_code == 200
    assert Autosave.objects.filter(user=writer).exists()


def test_saving_a_new_article_drops_its_draft_autosave(client, writer):
    services.autosave_store(user=writer, draft_key=DRAFT, data={})
    client.force_login(writer)
    assert (
        "never saved"
        in client.get(reverse("admin:articles_article_add")).content.decode()
    )

    response = client.post(
        reverse("admin:articles_article_add"),
        article_form(SectionFactory(), autosave_draft=DRAFT),
    )

    assert response.status_code == 302
    assert not Autosave.objects.exists()


def test_a_new_article_back_with_an_error_keeps_its_draft_id(client, writer):
    services.autosave_store(user=writer, draft_key=DRAFT, data={})
    client.force_login(writer)
    section = SectionFactory()

    response = client.post(
        reverse("admin:articles_article_add"),
        article_form(section, headline="", autosave_draft=DRAFT),
    )

    assert f'data-draft="{DRAFT}"' in response.content.decode()
    client.post(
        reverse("admin:articles_article_add"),
        article_form(section, autosave_draft=DRAFT),
    )
    assert not Autosave.objects.exists()
