"""API answers go through the page cache: stored on the first GET, replayed
on the next, and purged by exactly the changes that make them stale."""

import pytest

from articles import services as article_services
from comments import services as comment_services
from comments.models import Comment
from tests.factories import ArticleFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("page_cache_on")]


def state(client, url) -> str:
    response = client.get(url)
    assert response.status_code in (200, 410), (url, response.content[:300])
    return response.get("X-Page-Cache", "live")


def warm(client, *urls) -> None:
    for url in urls:
        client.get(url)
    assert [state(client, url) for url in urls] == ["hit"] * len(urls)


def test_the_second_get_is_a_hit_that_costs_no_query(
    client, newsroom, django_assert_num_queries
):
    url = "/api/v1/articles/?section=defence&fields=id,headline"
    assert state(client, url) == "miss"
    with django_assert_num_queries(0):
        response = client.get(url)
    assert response["X-Page-Cache"] == "hit"
    assert response["Content-Type"] == "application/json"


def test_answers_carry_an_etag_and_answer_304_to_it(client, newsroom):
    first = client.get("/api/v1/articles/")
    assert "public" in first["Cache-Control"] and "s-maxage" in first["Cache-Control"]
    again = client.get("/api/v1/articles/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304


def test_a_publish_purges_the_lists_it_joins_and_not_other_pieces(
    client, newsroom, editor, commit
):
    report, other = newsroom["report"], newsroom["other"]
    lists = ("/api/v1/articles/", "/api/v1/articles/?section=defence")
    pieces = (f"/api/v1/articles/{report.pk}/", f"/api/v1/articles/{other.pk}/")
    business = "/api/v1/articles/?section=business"
    warm(client, *lists, *pieces, business)

    commit(article_services.article_publish, article=newsroom["draft"], user=editor)

    assert [state(client, url) for url in lists] == ["miss", "miss"]
    assert [state(client, url) for url in (*pieces, business)] == ["hit"] * 3
    listed = client.get("/api/v1/articles/").json()["results"]
    assert newsroom["draft"].pk in [item["id"] for item in listed]


def test_a_correction_purges_the_piece_and_its_lists(client, newsroom, editor, commit):
    report = newsroom["report"]
    piece = f"/api/v1/articles/{report.pk}/"
    warm(
        client, piece, "/api/v1/articles/", f"/api/v1/articles/{newsroom['other'].pk}/"
    )

    commit(
        article_services.correction_add,
        article=report,
        kind="correction",
        text="The minister spoke on Monday.",
        user=editor,
    )

    assert state(client, piece) == "miss"
    assert state(client, "/api/v1/articles/") == "miss"
    assert state(client, f"/api/v1/articles/{newsroom['other'].pk}/") == "hit"
    texts = [c["text"] for c in client.get(piece).json()["corrections"]]
    assert "The minister spoke on Monday." in texts


def test_a_withdrawal_purges_the_piece_which_then_answers_410(
    client, newsroom, editor, commit
):
    report = newsroom["report"]
    piece = f"/api/v1/articles/{report.pk}/"
    warm(client, piece, "/api/v1/articles/")

    commit(
        article_services.article_withdraw, article=report, user=editor, note="Legal."
    )

    assert client.get(piece).status_code == 410
    listed = client.get("/api/v1/articles/").json()["results"]
    assert report.pk not in [item["id"] for item in listed]


def test_approving_a_comment_purges_its_piece_and_comments_only(
    client, newsroom, moderator, commit
):
    report, other = newsroom["report"], newsroom["other"]
    comments = f"/api/v1/articles/{report.pk}/comments/"
    piece = f"/api/v1/articles/{report.pk}/"
    warm(client, comments, piece, f"/api/v1/articles/{other.pk}/", "/api/v1/sections/")
    held = Comment.objects.get(status=Comment.Status.PENDING)

    commit(comment_services.comment_approve, comment=held, actor=moderator)

    assert state(client, comments) == "miss"
    assert state(client, piece) == "miss"
    assert state(client, f"/api/v1/articles/{other.pk}/") == "hit"
    assert state(client, "/api/v1/sections/") == "hit"
    assert client.get(piece).json()["comment_count"] == 2


def test_search_and_errors_are_never_stored(client, newsroom):
    assert client.get("/api/v1/search/?q=treaty").get("X-Page-Cache") is None
    client.get("/api/v1/articles/?section=nowhere")
    assert client.get("/api/v1/articles/?section=nowhere").get("X-Page-Cache") is None


def test_a_new_piece_in_another_section_leaves_a_section_list_cached(
    client, newsroom, editor, commit
):
    warm(client, "/api/v1/articles/?section=business")
    draft = ArticleFactory(section=newsroom["defence"], status="draft", publish_at=None)
    commit(article_services.article_publish, article=draft, user=editor)
    assert state(client, "/api/v1/articles/?section=business") == "hit"
