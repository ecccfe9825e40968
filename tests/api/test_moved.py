"""A slug a piece had before answers 301 to its current API address, as the
old page address does; the redirect is cached and purged like the piece."""

import pytest

from articles import services as article_services
from articles.metadata import absolute_url
from articles.models import ArticlePath

pytestmark = pytest.mark.django_db


def rename(article, editor, commit, slug):
    return commit(
        article_services.article_update,
        article=article,
        user=editor,
        expected_version=article.version,
        fields={"slug": slug},
    )


@pytest.fixture
def moved(newsroom, editor, commit):
    report = newsroom["report"]
    rename(report, editor, commit, "uk-japan-security-treaty")
    report.refresh_from_db()
    return report


def test_an_old_slug_answers_301_to_the_current_address(client, moved):
    response = client.get("/api/v1/articles/by-slug/uk-japan-treaty/?fields=id,slug")

    assert response.status_code == 301
    assert response["Location"] == absolute_url(
        "/api/v1/articles/by-slug/uk-japan-security-treaty/?fields=id%2Cslug"
    )
    followed = client.get(response["Location"])
    assert followed.json() == {"id": moved.pk, "slug": "uk-japan-security-treaty"}


def test_after_two_renames_both_old_slugs_take_one_hop(client, moved, editor, commit):
    rename(moved, editor, commit, "treaty-with-japan")
    for old in ("uk-japan-treaty", "uk-japan-security-treaty"):
        response = client.get(f"/api/v1/articles/by-slug/{old}/")
        assert response.status_code == 301
        assert response["Location"].endswith("/by-slug/treaty-with-japan/")


def test_an_old_slug_of_a_hidden_piece_says_nothing_and_of_a_withdrawn_one_410(
    client, newsroom
):
    for name, old in (("draft", "earlier-draft"), ("withdrawn", "earlier-gone")):
        ArticlePath.objects.create(
            path=f"/news/2025/1/2/{old}/", article=newsroom[name]
        )
    draft = client.get("/api/v1/articles/by-slug/earlier-draft/")
    assert draft.status_code == 404
    assert "draft-piece" not in draft.content.decode()
    gone = client.get("/api/v1/articles/by-slug/earlier-gone/")
    assert gone.status_code == 410
    assert gone.json()["type"] == "urn:newsroom:problem:gone"
    assert client.get("/api/v1/articles/by-slug/never-was/").status_code == 404


def test_an_old_slug_still_refuses_unknown_parameters(client, moved):
    response = client.get("/api/v1/articles/by-slug/uk-japan-treaty/?page=2")
    assert response.status_code == 400
    assert response.json()["type"] == "urn:newsroom:problem:unknown-parameter"


@pytest.mark.usefixtures("page_cache_on")
def test_the_redirect_is_cached_and_purged_when_the_piece_moves_again(
    client, moved, editor, commit, django_assert_num_queries
):
    url = "/api/v1/articles/by-slug/uk-japan-treaty/"
    assert client.get(url)["X-Page-Cache"] == "miss"
    with django_assert_num_queries(0):
        response = client.get(url)
    assert (response.status_code, response["X-Page-Cache"]) == (301, "hit")

    rename(moved, editor, commit, "treaty-with-japan")

    again = client.get(url)
    assert again["X-Page-Cache"] == "miss"
    assert again["Location"].endswith("/by-slug/treaty-with-japan/")
