"""Authors and co-authors become bylines, never logins."""

from django.contrib.auth import get_user_model

from articles.models import Article, Author


def test_co_authors_become_ordered_bylines(run_import):
    run_import("coauthors.xml")
    article = Article.objects.get(slug="two-names")
    assert [byline.author.name for byline in article.bylines.order_by("position")] == [
        "Rui Okafor",
        "News Desk",
    ]


def test_the_post_author_is_the_byline_without_co_authors(run_import):
    run_import("basic.xml")
    article = Article.objects.get(slug="ferry-returns")
    assert [author.name for author in article.authors.all()] == ["Mara Quint"]


def test_no_login_is_made_for_an_imported_author(run_import, importer):
    users = get_user_model().objects.count()
    run_import("basic.xml", "coauthors.xml")
    assert get_user_model().objects.count() == users
    assert not Author.objects.filter(user__isnull=False).exists()


def test_running_twice_does_not_duplicate_authors(run_import):
    run_import("coauthors.xml")
    run_import("coauthors.xml")
    assert Author.objects.count() == 2


def test_the_authors_map_points_a_login_at_an_existing_author(run_import):
    desk = Author.objects.create(name="The Desk", slug="the-desk")
    run_import("coauthors.xml", authors_map={"desk": "the-desk"})
    article = Article.objects.get(slug="two-names")
    assert desk in article.authors.all()
    assert not Author.objects.filter(name="News Desk").exists()
