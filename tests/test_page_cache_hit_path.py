"""The shortcuts of a page-cache hit keep every check a hit had before them:
the key worked out once per host, path and query (caching.pages) and the
entry decoded once per bytes read (with Redis's per-process copy)."""

import pytest
from django.core.cache import cache
from django.test import override_settings

from caching import pages
from caching.entries import Entry
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def page_cache_on(settings):
    settings.NEWSROOM_PAGE_CACHE = True
    settings.ALLOWED_HOSTS = ["news.example.org", "testserver"]


@pytest.fixture
def url():
    return ArticleFactory().get_absolute_url()


def test_a_host_outside_allowed_hosts_is_refused_after_an_allowed_one_was_served(
    client, url
):
    assert client.get(url, HTTP_HOST="news.example.org")["X-Page-Cache"] == "miss"
    assert client.get(url, HTTP_HOST="news.example.org")["X-Page-Cache"] == "hit"

    refused = client.get(url, HTTP_HOST="evil.example.com")
    again = client.get(url, HTTP_HOST="evil.example.com")

    assert (refused.status_code, again.status_code) == (400, 400)
    assert "X-Page-Cache" not in again


def test_a_host_no_longer_allowed_is_refused_at_once(client, url):
    client.get(url, HTTP_HOST="news.example.org")
    assert client.get(url, HTTP_HOST="news.example.org")["X-Page-Cache"] == "hit"

    with override_settings(ALLOWED_HOSTS=["testserver"]):
        assert client.get(url, HTTP_HOST="news.example.org").status_code == 400


def test_each_host_and_query_has_its_own_key(client, url, rf):
    def key(host, query=""):
        return pages._request_key(rf.get(url + query, HTTP_HOST=host))

    assert key("news.example.org") == key("news.example.org")
    assert key("news.example.org") != key("testserver")
    assert key("news.example.org", "?page=2") != key("news.example.org")
    assert key("testserver", "?page=2&page=3") != key("testserver", "?page=3")
    # Unknown parameters: fetched live, the second time too (remembered).
    assert key("testserver", "?utm_source=x") is None
    assert key("testserver", "?utm_source=x") is None


def test_a_very_long_address_is_keyed_but_not_remembered(client, url, rf):
    pages._made_keys.clear()
    request = rf.get(url + "?page=" + "9" * 2000)
    assert pages._request_key(request) is not None
    assert pages._made_keys == {}


class Copying:
    """A cache that answers with the same bytes object until it changes, as
    the Redis backend does with its per-process copy (caching.mirror)."""

    mirrored = True

    def __init__(self, values):
        self.values = values

    def get_values(self, keys):
        return [self.values.get(key) for key in keys]


def test_with_a_kept_copy_the_same_bytes_are_decoded_once(monkeypatch, rf):
    blob = Entry.encode(
        status=200,
        until=4_000_000_000,
        epoch=0,
        generations={},
        headers=[("Content-Type", "text/html; charset=utf-8")],
        content=b"<p>v1</p>",
    )
    copy = Copying({"k": blob, pages.EPOCH_KEY: 0})
    monkeypatch.setattr(pages, "cache", copy)
    pages._entries.clear()

    first, _ = pages._lookup("k")
    second, _ = pages._lookup("k")
    replayed = pages._replay(rf.get("/"), second)

    assert first is second
    assert replayed.content == b"<p>v1</p>" and replayed["X-Page-Cache"] == "hit"
    # The replay copied the headers; the entry's stay as stored.
    assert "x-page-cache" not in second.header_store()
    # New bytes (the page changed): decoded afresh.
    copy.values["k"] = blob.replace(b"v1", b"v2")
    third, _ = pages._lookup("k")
    assert third is not first and third.content == b"<p>v2</p>"


def test_without_a_kept_copy_nothing_is_kept(client, url):
    pages._entries.clear()
    client.get(url)
    client.get(url)
    if not getattr(cache, "mirrored", False):
        assert pages._entries == {}
    else:  # Redis: the hit's entry is kept for its bytes
        assert len(pages._entries) == 1
