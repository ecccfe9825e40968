"""Labels in the editors' admin and on the site say one thing, in words."""

from datetime import UTC, datetime

import pytest
from django.urls import reverse

from articles.models import RelatedArticle
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


def test_the_tags_app_is_titled_tags_not_its_package_name(admin_client):
    html = admin_client.get(reverse("admin:index")).content.decode()

    assert "Taggit" not in html and "TAGGIT" not in html
    assert ">Tags</a>" in html


def test_the_desk_lists_pieces_without_stray_separators(client, editor):
    ArticleFactory(status="draft", publish_at=None, created_by=editor)
    ArticleFactory(status="draft", publish_at=None, created_by=editor)
    client.force_login(editor)

    html = client.get(reverse("admin:index")).content.decode()
    desk = html.split('id="editors-desk"', 1)[1].split("</table>", 1)[0]

    assert "·" not in desk
    assert desk.count("<li>") >= 2


def test_the_article_page_in_the_admin_has_one_history_link(client, editor):
    article = ArticleFactory(status="draft", publish_at=None)
    client.force_login(editor)

    html = client.get(
        reverse("admin:articles_article_change", args=[article.pk])
    ).content.decode()

    assert "History and revisions" not in html
    assert html.count(reverse("admin:articles_article_history", args=[article.pk])) == 1


def test_the_site_and_the_admin_both_say_related_articles(client, editor):
    article = ArticleFactory()
    RelatedArticle.objects.create(
        from_article=article, to_article=ArticleFactory(), position=0
    )

    page = client.get(article.get_absolute_url()).content.decode()
    client.force_login(editor)
    form = client.get(
        reverse("admin:articles_article_change", args=[article.pk])
    ).content.decode()

    assert "Related posts" not in page and "Related articles" in page
    assert "Related posts" not in form and "related articles" in form.lower()


def test_the_article_list_names_the_zone_of_every_time(admin_client, settings):
    """Point 4: a time an editor reads on the list says whose time it is."""
    settings.TIME_ZONE = "Europe/London"
    ArticleFactory(
        status="published", publish_at=datetime(2026, 7, 1, 13, 0, tzinfo=UTC)
    )
    html = admin_client.get("/admin/articles/article/").content.decode()
    # Django capitalises column headers.
    assert "Publish at (Europe/London)" in html
    assert "Modified (Europe/London)" in html
    assert "1 Jul 2026, 14:00 BST" in html
