"""Every old address of an imported piece answers 301 to its new one, in one
hop; drafts are never revealed."""

import pytest

from articles.models import Article


@pytest.fixture
def imported(run_import, uploads):
    from core.importers.wordpress import MediaSource

    run_import("basic.xml", media=MediaSource(directory=uploads))
    return Article.objects.get(slug="ferry-returns")


@pytest.mark.parametrize(
    "old",
    [
        "/2020/01/15/ferry-returns/",
        "/?p=10",
        "/2020/01/15/ferry-returns/ferry-photo/",
        "/?attachment_id=20",
    ],
)
def test_an_old_address_answers_301_to_the_new_one(client, imported, old):
    response = client.get(old)
    assert response.status_code == 301
    assert response["Location"] == imported.get_absolute_url()
    assert client.get(response["Location"]).status_code == 200


def test_a_draft_is_not_revealed_by_its_old_address(client, imported):
    assert client.get("/2020/02/01/members-notes/").status_code == 404
    assert client.get("/?p=12").status_code == 200  # the front page, no redirect
    assert client.get("/?p=12").get("Location") is None


def test_an_unknown_old_id_is_just_the_front_page(client, imported):
    assert client.get("/?p=999").status_code == 200
