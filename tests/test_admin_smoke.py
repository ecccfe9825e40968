"""Open every admin page as each role and post every action.

Django ignores misspelt options and never-called hooks; this test is where
they surface as errors instead.
"""

import pytest
from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.test import RequestFactory
from django.urls import reverse

from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    CommentFactory,
    KeyTakeawayFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def newsroom():
    author = AuthorFactory()
    article = ArticleFactory(authors=[author], tags=["Japan", "Defence"])
    ArticleFactory(status="draft", publish_at=None, section=article.section)
    KeyTakeawayFactory(article=article)
    CommentFactory(article=article)
    return article


def page_urls(model, obj):
    info = model._meta.app_label, model._meta.model_name
    urls = {
        "changelist": reverse("admin:{}_{}_changelist".format(*info)),
        "add": reverse("admin:{}_{}_add".format(*info)),
    }
    if obj is not None:
        urls |= {
            "change": reverse("admin:{}_{}_change".format(*info), args=[obj.pk]),
            "delete": reverse("admin:{}_{}_delete".format(*info), args=[obj.pk]),
            "history": reverse("admin:{}_{}_history".format(*info), args=[obj.pk]),
        }
    return urls


# Admins of one row open its form where a list would be.
OPEN_A_FORM = {"comments.moderationsettings"}


def expected_status(model_admin, user, kind, obj):
    request = RequestFactory().get("/")
    request.user = user
    allowed = {
        "changelist": model_admin.has_view_or_change_permission(request),
        "add": model_admin.has_add_permission(request),
        "change": model_admin.has_view_or_change_permission(request, obj),
        "delete": model_admin.has_delete_permission(request, obj),
        "history": model_admin.has_view_or_change_permission(request, obj),
    }[kind]
    if allowed and kind == "changelist" and model_admin.opts.label_lower in OPEN_A_FORM:
        return 302
    return 200 if allowed else 403


@pytest.mark.parametrize("role", ["superuser", "Editors", "Writers", "Moderators"])
def test_every_admin_page_opens(client, newsroom, role):
    if role == "superuser":
        user = UserFactory(username="root", is_superuser=True)
    else:
        user = UserFactory(username=role.lower(), groups=[role])
    client.force_login(user)
    opened = 0
    for model, model_admin in admin.site._registry.items():
        obj = model._default_manager.order_by("pk").first()
        for kind, url in page_urls(model, obj).items():
            response = client.get(url)
            assert response.status_code == expected_status(
                model_admin, user, kind, obj
            ), f"{role} {kind} {url}"
            opened += response.status_code == 200
    assert opened > 0
    assert client.get(reverse("admin:index")).status_code == 200


def test_every_action_posts_as_superuser(client, newsroom):
    user = UserFactory(username="root", is_superuser=True)
    client.force_login(user)
    for model, model_admin in admin.site._registry.items():
        obj = model._default_manager.order_by("pk").first()
        if obj is None:
            continue
        request = RequestFactory().get("/")
        request.user = user
        changelist = reverse(
            f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist"
        )
        for name in model_admin.get_actions(request):
            response = client.post(
                changelist, {"action": name, ACTION_CHECKBOX_NAME: [obj.pk]}
            )
            assert response.status_code in (200, 302), f"{model.__name__}.{name}"


def test_article_changelist_filters_and_search(client, newsroom, editor):
    client.force_login(editor)
    url = reverse("admin:articles_article_changelist")
    author = newsroom.byline_authors[0]

    for query in [
        {"status__exact": "published"},
        {"section__id__exact": newsroom.section_id},
        {"authors__id__exact": author.pk},
        {"tags__id__exact": newsroom.tags.first().pk},
        {"q": newsroom.headline},
    ]:
        response = client.get(url, query)
        assert response.status_code == 200, query
        assert newsroom.headline in response.content.decode(), query


def test_tag_and_related_autocomplete_answer_writers(client, newsroom, writer):
    client.force_login(writer)

    tags = client.get(
        reverse("admin:autocomplete"),
        {
            "term": "jap",
            "app_label": "articles",
            "model_name": "taggedarticle",
            "field_name": "tag",
        },
    )
    related = client.get(
        reverse("admin:autocomplete"),
        {
            "term": newsroom.headline[:8],
            "app_label": "articles",
            "model_name": "relatedarticle",
            "field_name": "to_article",
        },
    )

    assert [r["text"] for r in tags.json()["results"]] == ["Japan"]
    assert newsroom.headline in [r["text"] for r in related.json()["results"]]
