"""Every endpoint answers with the fields docs/api.md promises."""

import json

import pytest
from django.conf import settings

from api.representation import (
    ARTICLE_FIELDS,
    ARTICLE_HEAVY_FIELDS,
    ARTICLE_SUMMARY_FIELDS,
)
from tests.factories import CommentFactory

pytestmark = pytest.mark.django_db


def test_an_article_carries_every_field_of_the_page(client, newsroom):
    report = newsroom["report"]
    data = client.get(f"/api/v1/articles/{report.pk}/").json()

    assert list(data) == list(ARTICLE_FIELDS)
    assert data["headline"] == "UK Considers Security Treaty with Japan as “Quasi-Ally”"
    assert data["dek"] == "Japan and the United Kingdom deepen security ties"
    assert "<h2>What is the objective?</h2>" in data["body"]
    assert data["bylines"] == [
        {
            "name": "Daniel Perez",
            "slug": "daniel-perez",
            "job_title": "News Editor",
            "url": settings.NEWSROOM_SITE_URL + newsroom["perez"].get_absolute_url(),
        }
    ]
    assert data["section"]["slug"] == "defence"
    assert [tag["name"] for tag in data["tags"]] == ["Japan", "United Kingdom"]
    assert data["takeaways"] == [{"label": "Strategy", "text": "Ties deepen."}]
    assert data["corrections"][0]["text"] == "The talks were on Tuesday."
    assert data["video"]["provider"] == "youtube"
    assert data["video"]["title"].endswith("日米安全保障条約を読み解く")
    assert data["url"].endswith(report.get_absolute_url())
    assert data["comment_count"] == 1  # the approved one, not the held one
    assert data["published_at"] and data["modified_at"]


def test_an_article_is_found_by_slug_as_by_id(client, newsroom):
    report = newsroom["report"]
    by_id = client.get(f"/api/v1/articles/{report.pk}/").json()
    by_slug = client.get("/api/v1/articles/by-slug/uk-japan-treaty/").json()
    assert by_slug == by_id


def test_the_list_gives_each_piece_as_the_detail_does_without_the_heavy_fields(
    client, newsroom
):
    listed = client.get("/api/v1/articles/").json()["results"]
    assert [item["id"] for item in listed] == [
        newsroom["report"].pk,
        newsroom["other"].pk,
    ]
    detail = client.get(f"/api/v1/articles/{newsroom['report'].pk}/").json()
    assert list(listed[0]) == list(ARTICLE_SUMMARY_FIELDS)
    assert listed[0] == {name: detail[name] for name in ARTICLE_SUMMARY_FIELDS}
    assert set(ARTICLE_HEAVY_FIELDS) == {"body", "takeaways", "video", "corrections"}
    assert "What is the objective?" not in str(listed)


def test_a_list_gives_the_body_and_the_other_heavy_fields_when_asked(client, newsroom):
    listed = client.get(
        "/api/v1/articles/?fields=id,body,takeaways,video,corrections"
    ).json()["results"]
    detail = client.get(f"/api/v1/articles/{newsroom['report'].pk}/").json()
    assert listed[0] == {
        name: detail[name]
        for name in ("id", "body", "takeaways", "video", "corrections")
    }
    assert "<h2>What is the objective?</h2>" in listed[0]["body"]


def test_search_gives_the_same_summaries_as_the_list(client, newsroom):
    found = client.get("/api/v1/search/?q=treaty").json()["results"]
    listed = client.get("/api/v1/articles/").json()["results"]
    assert found == [listed[0]]


def test_fields_picks_only_the_fields_named(client, newsroom):
    listed = client.get("/api/v1/articles/?fields=id,headline").json()["results"]
    assert listed[0] == {
        "id": newsroom["report"].pk,
        "headline": newsroom["report"].headline,
    }


def test_authors_carry_their_public_byline_only(client, newsroom):
    authors = client.get("/api/v1/authors/").json()["results"]
    assert authors == [
        {
            "id": newsroom["perez"].pk,
            "name": "Daniel Perez",
            "slug": "daniel-perez",
            "job_title": "News Editor",
            "bio": newsroom["perez"].bio,
            "photo": None,
            "url": authors[0]["url"],
        }
    ]


def test_sections_and_tags_are_listed(client, newsroom):
    sections = client.get("/api/v1/sections/").json()["results"]
    assert {s["slug"] for s in sections} == {"defence", "business"}
    tags = client.get("/api/v1/tags/").json()["results"]
    assert sorted(t["name"] for t in tags) == ["Energy", "Japan", "United Kingdom"]


def test_comments_are_the_approved_ones_with_name_body_date_and_parent(
    client, newsroom
):
    report = newsroom["report"]
    comments = client.get(f"/api/v1/articles/{report.pk}/comments/").json()
    assert [c["name"] for c in comments["results"]] == ["Reader One"]
    assert set(comments["results"][0]) == {"id", "parent", "name", "body", "created_at"}
    assert comments["next"] is None


def test_search_finds_published_pieces(client, newsroom):
    found = client.get("/api/v1/search/?q=treaty").json()["results"]
    assert [item["id"] for item in found] == [newsroom["report"].pk]
    assert list(found[0]) == list(ARTICLE_SUMMARY_FIELDS)


def test_a_comment_body_is_the_plain_text_the_reader_wrote(client, newsroom):
    """Never HTML: no escaping, no links, no paragraphs; the client escapes it
    (docs/api.md). The page renders the same text with comments.text."""
    report = newsroom["report"]
    written = 'I <b>disagree</b> & "so" do\n\nothers: https://example.org/x?a=1&b=2'
    CommentFactory(article=report, author_name="Writer <i>", body=written)

    found = client.get(f"/api/v1/articles/{report.pk}/comments/").json()["results"]

    assert found[-1]["body"] == written
    assert found[-1]["name"] == "Writer <i>"
    assert "<a " not in str(found) and "&amp;" not in str(found)
    schema = client.get("/api/v1/schema/").json()
    body = schema["components"]["schemas"]["CommentOut"]["properties"]["body"]
    assert "Plain text" in body["description"]


@pytest.mark.parametrize("path", ["/api/v1/articles/", "/api/v1/articles/{id}/"])
def test_answers_are_compact_json_with_text_as_written(client, newsroom, path):
    response = client.get(path.format(id=newsroom["report"].pk))
    compact = json.dumps(response.json(), ensure_ascii=False, separators=(",", ":"))
    assert response.content == compact.encode()
    assert "“Quasi-Ally”".encode() in response.content  # not \u201c escapes


def test_a_refused_request_is_still_a_problem_not_a_compact_answer(client, newsroom):
    response = client.get("/api/v1/articles/?page_size=0")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["parameter"] == "page_size"
