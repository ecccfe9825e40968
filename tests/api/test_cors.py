"""Browsers on the origins in API_CORS_ORIGINS may read the API; others get
no CORS headers. The headers are added per request, never stored in the
page cache with an answer that everybody shares."""

import pytest

pytestmark = pytest.mark.django_db

PARTNER = "https://app.partner.example"


@pytest.fixture(autouse=True)
def origins(settings):
    settings.API_CORS_ORIGINS = frozenset({PARTNER})


def test_an_allowed_origin_is_named_back(client, newsroom):
    response = client.get("/api/v1/articles/", HTTP_ORIGIN=PARTNER)
    assert response["Access-Control-Allow-Origin"] == PARTNER
    exposed = response["Access-Control-Expose-Headers"].split(", ")
    assert {"Link", "X-Total-Count"} <= set(exposed)
    assert "Origin" in response["Vary"]


def test_another_origin_gets_no_cors_headers(client, newsroom):
    response = client.get("/api/v1/articles/", HTTP_ORIGIN="https://evil.example")
    assert response.status_code == 200
    assert not response.has_header("Access-Control-Allow-Origin")
    assert "Origin" in response["Vary"]


def test_a_preflight_from_an_allowed_origin_is_answered(client):
    response = client.options(
        "/api/v1/articles/",
        HTTP_ORIGIN=PARTNER,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="x-api-key",
    )
    assert response.status_code == 204
    assert response["Access-Control-Allow-Origin"] == PARTNER
    assert "X-Api-Key" in response["Access-Control-Allow-Headers"]


@pytest.mark.usefixtures("page_cache_on")
def test_a_cached_answer_gets_the_cors_headers_of_each_asker(client, newsroom):
    client.get("/api/v1/sections/", HTTP_ORIGIN=PARTNER)
    hit = client.get("/api/v1/sections/", HTTP_ORIGIN="https://evil.example")
    assert hit["X-Page-Cache"] == "hit"
    assert not hit.has_header("Access-Control-Allow-Origin")
    again = client.get("/api/v1/sections/", HTTP_ORIGIN=PARTNER)
    assert again["Access-Control-Allow-Origin"] == PARTNER


def test_without_allowed_origins_answers_do_not_vary_by_origin(
    client, newsroom, settings
):
    settings.API_CORS_ORIGINS = frozenset()
    response = client.get("/api/v1/articles/", HTTP_ORIGIN=PARTNER)
    assert response.status_code == 200
    assert not response.has_header("Access-Control-Allow-Origin")
    # One copy in a CDN for everybody, not one per Origin header.
    assert "Origin" not in response.get("Vary", "")


def test_pages_outside_the_api_get_no_cors_headers(client, newsroom):
    response = client.get("/", HTTP_ORIGIN=PARTNER)
    assert not response.has_header("Access-Control-Allow-Origin")
