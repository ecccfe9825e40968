"""The OpenAPI 3 document and the browsable docs, served from our own
static files under the site's Content-Security-Policy."""

import pytest

from api.representation import ARTICLE_FIELDS, ARTICLE_SUMMARY_FIELDS

pytestmark = pytest.mark.django_db


def test_the_schema_is_openapi_3_and_names_every_endpoint(client):
    schema = client.get("/api/v1/schema/").json()
    assert schema["openapi"].startswith("3.")
    assert set(schema["paths"]) >= {
        "/api/v1/articles/",
        "/api/v1/articles/{article_id}/",
        "/api/v1/articles/by-slug/{slug}/",
        "/api/v1/articles/{article_id}/comments/",
        "/api/v1/sections/",
        "/api/v1/authors/",
        "/api/v1/tags/",
        "/api/v1/search/",
    }
    article = schema["components"]["schemas"]["ArticleOut"]
    assert list(article["properties"]) == list(ARTICLE_FIELDS)
    assert article["required"] == list(ARTICLE_FIELDS)
    # A list's entries: the same fields, the heavy ones only when asked for.
    summary = schema["components"]["schemas"]["ArticleSummary"]
    assert list(summary["properties"]) == list(ARTICLE_FIELDS)
    assert summary["required"] == list(ARTICLE_SUMMARY_FIELDS)
    assert "fields=" in summary["properties"]["body"]["description"]
    page = schema["components"]["schemas"]["ArticlePage"]
    assert page["properties"]["results"]["items"]["$ref"].endswith("/ArticleSummary")
    filters = {
        p["name"] for p in schema["paths"]["/api/v1/articles/"]["get"]["parameters"]
    }
    assert {"section", "tag", "author", "modified_since", "cursor", "fields"} <= filters


def test_the_docs_load_only_our_own_assets_under_the_csp(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower() and "https://" not in html
    assert "<script>" not in html  # no inline script for the CSP to refuse
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
