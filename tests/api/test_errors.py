"""Bad input answers application/problem+json in one shape, with a message
that says what to change."""

import pytest

pytestmark = pytest.mark.django_db


def problem(client, url, status=400) -> dict:
    response = client.get(url)
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert set(body) <= {"type", "title", "status", "detail", "parameter"}
    assert body["status"] == status
    return body


@pytest.mark.parametrize(
    ("url", "kind", "parameter", "detail"),
    [
        (
            "/api/v1/articles/?section=nowhere",
            "bad-filter",
            "section",
            "No section has the slug 'nowhere'.",
        ),
        (
            "/api/v1/articles/?published_after=yesterday",
            "bad-filter",
            "published_after",
            "published_after must be an ISO 8601 date or date-time, "
            "e.g. 2025-11-25 or 2025-11-25T09:30:00Z.",
        ),
        (
            "/api/v1/articles/?page_size=101",
            "bad-filter",
            "page_size",
            "page_size must be a whole number from 1 to 100.",
        ),
        (
            "/api/v1/articles/?ordering=headline",
            "bad-filter",
            "ordering",
            "ordering must be one of: -published_at, published_at, "
            "-modified_at, modified_at.",
        ),
        (
            "/api/v1/articles/?cursor=forged",
            "bad-cursor",
            "cursor",
            "This cursor is not one this API gave out, or it was cut short; "
            "start again without cursor and follow the Link header.",
        ),
        (
            "/api/v1/articles/?fields=id,email",
            "unknown-field",
            "fields",
            "Unknown field 'email'. Known fields: id, slug, url, headline, dek, "
            "body, section, bylines, tags, takeaways, lead_image, video, "
            "corrections, published_at, first_published_at, updated_at, "
            "modified_at, reading_time, comment_count.",
        ),
        (
            "/api/v1/sections/?limit=5",
            "unknown-parameter",
            "limit",
            "Unknown query parameter 'limit'. This endpoint takes no query parameters.",
        ),
    ],
)
def test_bad_input_is_a_problem_naming_the_parameter(
    client, newsroom, url, kind, parameter, detail
):
    body = problem(client, url)
    assert body["type"] == f"urn:newsroom:problem:{kind}"
    assert body["parameter"] == parameter
    assert body["detail"] == detail


def test_a_cursor_from_another_ordering_is_refused(client, newsroom):
    first = client.get("/api/v1/articles/?page_size=1").json()
    cursor = first["next"].split("cursor=")[1]
    body = problem(client, f"/api/v1/articles/?ordering=published_at&cursor={cursor}")
    assert body["detail"] == (
        "This cursor was made for ordering=-published_at; "
        "keep the ordering while paging."
    )


def test_unpublished_pieces_are_404_and_withdrawn_ones_410(client, newsroom):
    for name in ("draft", "scheduled"):
        body = problem(client, f"/api/v1/articles/{newsroom[name].pk}/", 404)
        assert body["type"] == "urn:newsroom:problem:not-found"
    body = problem(client, f"/api/v1/articles/{newsroom['withdrawn'].pk}/", 410)
    assert body["type"] == "urn:newsroom:problem:gone"
    problem(client, "/api/v1/articles/by-slug/withdrawn-piece/", 410)
    problem(client, f"/api/v1/articles/{newsroom['withdrawn'].pk}/comments/", 410)
    problem(client, f"/api/v1/articles/{newsroom['draft'].pk}/comments/", 404)
    problem(client, "/api/v1/articles/999999/comments/", 404)
