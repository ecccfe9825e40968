import pytest
from django.contrib.auth.models import Group, Permission
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse

from articles.models import Article
from core.roles import EDITORS, ROLE_PERMISSIONS, WRITERS
from tests.factories import ArticleFactory, SectionFactory

pytestmark = pytest.mark.django_db


def test_groups_exist_after_migrate_with_exactly_their_permissions():
    for name, by_app in ROLE_PERMISSIONS.items():
        group = Group.objects.get(name=name)
        actual = {
            (p.content_type.app_label, p.codename) for p in group.permissions.all()
        }
        wanted = {(app, code) for app, codes in by_app.items() for code in codes}
        assert actual == wanted, name
    # Every codename in the table exists: a typo would leave it out above.
    for by_app in ROLE_PERMISSIONS.values():
        for app, codes in by_app.items():
            for code in codes:
                assert Permission.objects.filter(
                    content_type__app_label=app, codename=code
                ).exists(), f"{app}.{code}"


def test_what_each_role_may_do(writer, editor, moderator):
    assert writer.has_perm("articles.add_article")
    assert writer.has_perm("articles.change_article")
    assert not writer.has_perm("articles.publish_article")
    assert not writer.has_perm("articles.delete_article")
    assert not writer.has_perm("comments.change_comment")

    assert editor.has_perm("articles.publish_article")
    assert editor.has_perm("articles.delete_article")
    assert editor.has_perm("articles.change_section")
    assert not editor.has_perm("comments.change_comment")

    assert moderator.has_perm("comments.change_comment")
    assert moderator.has_perm("comments.delete_comment")
    for codename in (
        "add_article",
        "change_article",
        "delete_article",
        "publish_article",
    ):
        assert not moderator.has_perm(f"articles.{codename}")


def article_form(section, **overrides):
    data = {
        "headline": "Council approves new cycle lanes",
        "slug": "council-approves-new-cycle-lanes",
        "dek": "",
        "body": "<p>Text.</p>",
        "lead_image_alt": "",
        "lead_image_caption": "",
        "lead_image_credit": "",
        "video_url": "",
        "video_title": "",
        "section": section.pk,
        "new_tags": "",
        "status": "draft",
        "publish_at_0": "",
        "publish_at_1": "",
        "allow_comments": "on",
    }
    for prefix in ("bylines", "takeaways", "related_links"):
        data.update(
            {
                f"{prefix}-TOTAL_FORMS": "0",
                f"{prefix}-INITIAL_FORMS": "0",
                f"{prefix}-MIN_NUM_FORMS": "0",
                f"{prefix}-MAX_NUM_FORMS": "1000",
            }
        )
    data.update(overrides)
    return data


def test_writer_may_submit_for_review(client, writer):
    client.force_login(writer)
    section = SectionFactory()

    response = client.post(
        reverse("admin:articles_article_add"), article_form(section, status="review")
    )

    assert response.status_code == 302, response.context["adminform"].errors
    article = Article.objects.get()
    assert article.status == Article.Status.REVIEW
    assert article.created_by == writer


def test_writer_is_refused_publishing_with_a_message_and_nothing_is_stored(
    client, writer
):
    client.force_login(writer)
    section = SectionFactory()

    response = client.post(
        reverse("admin:articles_article_add"),
        article_form(section, status="published"),
    )

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert errors["status"] == [
        "Only editors can publish or withdraw a piece. Save it as a draft or "
        "submit it for review, and an editor will publish it."
    ]
    # The writer's text is still in the form.
    assert "Council approves new cycle lanes" in response.content.decode()
    assert not Article.objects.exists()


def test_writer_is_offered_only_draft_and_review(client, writer):
    client.force_login(writer)

    response = client.get(reverse("admin:articles_article_add"))

    html = response.content.decode()
    assert 'value="review"' in html
    assert 'value="published"' not in html


def test_writer_cannot_change_a_published_piece(client, writer):
    client.force_login(writer)
    article = ArticleFactory(body="<p>Original.</p>")
    url = reverse("admin:articles_article_change", args=[article.pk])

    response = client.post(url, article_form(article.section, status="published"))

    assert response.status_code == 403
    article.refresh_from_db()
    assert article.body == "<p>Original.</p>"


def test_editor_may_publish(client, editor):
    client.force_login(editor)
    section = SectionFactory()

    response = client.post(
        reverse("admin:articles_article_add"),
        article_form(section, status="published"),
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    article = Article.objects.get()
    assert article.is_published()


def test_moderator_cannot_open_articles(client, moderator):
    client.force_login(moderator)

    assert client.get(reverse("admin:articles_article_changelist")).status_code == 403
    assert client.get(reverse("admin:comments_comment_changelist")).status_code == 200


def test_only_the_article_desk_browses_the_editors_uploads(client, writer, moderator):
    default_storage.save("uploads/embargoed-summit-photo.jpg", ContentFile(b"x"))
    url = reverse("ckeditor_browse")

    client.force_login(moderator)
    refused = client.get(url)
    client.force_login(writer)
    allowed = client.get(url)

    assert refused.status_code == 403
    assert "embargoed-summit-photo" not in refused.content.decode()
    assert allowed.status_code == 200


@pytest.mark.parametrize("group", [WRITERS, EDITORS])
def test_new_and_existing_tags_are_saved(client, group, writer, editor):
    user = writer if group == WRITERS else editor
    client.force_login(user)
    section = SectionFactory()
    existing = ArticleFactory(tags=["Japan"]).tags.get()

    response = client.post(
        reverse("admin:articles_article_add"),
        article_form(
            section, tags=[str(existing.pk)], new_tags="Defence, japan, Indo-Pacific"
        ),
    )

    assert response.status_code == 302
    article = Article.objects.get(slug="council-approves-new-cycle-lanes")
    assert sorted(tag.name for tag in article.tags.all()) == [
        "Defence",
        "Indo-Pacific",
        "Japan",
    ]
