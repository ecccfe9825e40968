"""The access matrix for the content API: every endpoint, asked by every kind
of caller (anonymous, with an API key, signed in as a writer or an editor),
shows exactly what ``published()`` shows. Drafts, scheduled and withdrawn
pieces, held comments, tags used only by drafts, emails, IP addresses and
login names must reach none of them: 0 leaks, every one reported at once.
The API has no signed-in view: staff see what readers see.
"""

import pytest
from django.test import Client
from django.urls import resolve

from api import urls as api_urls
from api.keys import api_key_create
from api.representation import ARTICLE_FIELDS
from articles.models import ArticlePath
from tests.api.conftest import newsroom  # noqa: F401  (the fixture)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_rate_limit(settings):
    """Every caller shares one address here: no rate limit decides a cell."""
    settings.API_RATE_PER_MINUTE = 10**9


SECRETS = (
    "DRAFT-MARKER",
    "SCHEDULED-MARKER",
    "WITHDRAWN-MARKER",
    "HELD-COMMENT-MARKER",
    "Secret-Draft-Tag",
    "secret-draft-tag",
    "draft-piece",
    "scheduled-piece",
    "@reader.example",
    "dperez@newsroom.example",
    "dperez-login",
    "203.0.113.9",
    '"email"',
    '"ip_address"',
    '"user"',
    '"username"',
    '"user_id"',
)


def callers(newsroom):  # noqa: F811
    _, raw = api_key_create(name="Partner")
    writer = Client()
    writer.force_login(UserFactory(username="writer-login", is_staff=True))
    editor = Client()
    editor.force_login(
        UserFactory(username="editor-login", is_superuser=True, is_staff=True)
    )
    return {
        "anonymous": Client(),
        "api key": Client(HTTP_X_API_KEY=raw),
        "writer": writer,
        "editor": editor,
    }


def endpoints(newsroom):  # noqa: F811
    urls = [
        "/api/v1/articles/",
        "/api/v1/articles/?ordering=published_at",
        "/api/v1/articles/?section=defence",
        "/api/v1/articles/?tag=japan",
        "/api/v1/articles/?author=daniel-perez",
        "/api/v1/articles/?modified_since=2000-01-01",
        "/api/v1/articles/?published_after=2000-01-01&ordering=-modified_at",
        "/api/v1/sections/",
        "/api/v1/authors/",
        "/api/v1/tags/",
        "/api/v1/schema/",
    ]
    every_field = ",".join(ARTICLE_FIELDS)
    urls += [
        "/api/v1/articles/?page_size=100",
        # A list leaves the heavy fields out unless asked: ask for every one.
        f"/api/v1/articles/?page_size=100&fields={every_field}",
        "/api/v1/articles/?section=defence&fields=body,takeaways,video,corrections",
        f"/api/v1/articles/?modified_since=2000-01-01&fields={every_field}",
        "/api/v1/tags/?page_size=100",
        "/api/v1/authors/?page_size=100",
        "/api/docs/",
        "/api/v1/",
    ]
    for name in ("report", "other", "draft", "scheduled", "withdrawn"):
        article = newsroom[name]
        # A slug each piece had before (its old address still answers).
        ArticlePath.objects.get_or_create(
            path=f"/news/2025/1/2/earlier-{article.slug}/", article=article
        )
        urls += [
            f"/api/v1/articles/{article.pk}/",
            f"/api/v1/articles/by-slug/{article.slug}/",
            f"/api/v1/articles/by-slug/earlier-{article.slug}/",
            f"/api/v1/articles/{article.pk}/comments/?page_size=100",
        ]
    for word in ("DRAFT", "SCHEDULED", "WITHDRAWN", "MARKER", "treaty", "reader"):
        urls.append(f"/api/v1/search/?q={word}")
    urls.append("/api/v1/articles/?tag=secret-draft-tag")
    return urls


EXPECTED = {
    "draft": 404,
    "scheduled": 404,
    "withdrawn": 410,
}


def test_no_api_answer_leaks_to_any_caller(newsroom):  # noqa: F811
    leaks, wrong = [], []
    for who, client in callers(newsroom).items():
        for url in endpoints(newsroom):
            response = client.get(url)
            text = response.content.decode()
            for secret in SECRETS:
                # An error may repeat what the caller asked for; that is no leak.
                if secret in text and secret.lower() not in url.lower():
                    leaks.append(f"{who} {url}: {secret}")
            expected = next(
                (
                    status
                    for name, status in EXPECTED.items()
                    if f"/{newsroom[name].pk}/" in url or newsroom[name].slug in url
                ),
                200,
            )
            if url == "/api/v1/":  # ninja's root: nothing is served there
                expected = 404
            if "/by-slug/earlier-" in url and expected == 200:
                expected = 301
            if "secret-draft-tag" in url or url.endswith("q=MARKER"):
                expected = 400 if "secret" in url else 200
            if response.status_code != expected:
                wrong.append(f"{who} {url}: {response.status_code} != {expected}")
    assert leaks == []
    assert wrong == []


def test_every_api_route_is_in_the_scan(newsroom):  # noqa: F811
    """A new endpoint must join the list above before it can ship."""
    routes = {
        pattern.name for pattern in api_urls.urlpatterns[0].url_patterns if pattern.name
    } | {"api-docs"}
    scanned = {resolve(url.split("?")[0]).url_name for url in endpoints(newsroom)}
    assert routes - scanned == set()
