"""Pages from the page cache go gzip-compressed to readers whose browser
accepts it: compressed once when stored, the same bytes on every hit, a weak
ETag for the other bytes, and the plain page, byte for byte as before, to
anyone who does not ask for gzip."""

import gzip
import os

import pytest
from django.http import HttpResponse

from caching import entries
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

GZIP = {"HTTP_ACCEPT_ENCODING": "gzip, deflate, br"}


@pytest.fixture(autouse=True)
def page_cache_on(settings):
    settings.NEWSROOM_PAGE_CACHE = True


@pytest.fixture
def url():
    return ArticleFactory(tags=["Japan"]).get_absolute_url()


def test_a_reader_who_accepts_gzip_gets_the_page_compressed_miss_and_hit(client, url):
    miss = client.get(url, **GZIP)
    hit = client.get(url, **GZIP)
    plain = client.get(url)

    assert (miss["X-Page-Cache"], hit["X-Page-Cache"]) == ("miss", "hit")
    for answer in (miss, hit):
        assert answer["Content-Encoding"] == "gzip"
        assert int(answer["Content-Length"]) == len(answer.content)
        assert gzip.decompress(answer.content) == plain.content
        assert "Accept-Encoding" in answer["Vary"]
        # The same page in other bytes: a weak validator of the same value.
        assert answer["ETag"] == f"W/{plain['ETag']}"
    assert hit.content == miss.content
    assert len(hit.content) < len(plain.content) / 2


def test_a_reader_who_does_not_ask_gets_the_plain_page_as_before(client, url):
    client.get(url, **GZIP)  # stored by a reader who asked for gzip

    for asked in (
        {},
        {"HTTP_ACCEPT_ENCODING": "identity"},
        {"HTTP_ACCEPT_ENCODING": "br"},
    ):
        plain = client.get(url, **asked)
        assert plain["X-Page-Cache"] == "hit"
        assert not plain.has_header("Content-Encoding")
        assert plain.content.startswith(b"<!doctype html>")
        assert int(plain["Content-Length"]) == len(plain.content)
        assert "Accept-Encoding" in plain["Vary"]


def test_either_etag_answers_304_for_either_encoding(client, url):
    plain_etag = client.get(url)["ETag"]
    packed_etag = client.get(url, **GZIP)["ETag"]

    assert client.get(url, HTTP_IF_NONE_MATCH=plain_etag, **GZIP).status_code == 304
    assert client.get(url, HTTP_IF_NONE_MATCH=packed_etag).status_code == 304
    assert client.get(url, HTTP_IF_NONE_MATCH='W/"other"', **GZIP).status_code == 200


def test_a_head_request_gets_the_compressed_length_without_a_body(client, url):
    length = len(client.get(url, **GZIP).content)

    head = client.head(url, **GZIP)

    assert head["X-Page-Cache"] == "hit"
    assert (head.content, head["Content-Encoding"]) == (b"", "gzip")
    assert int(head["Content-Length"]) == length


def test_api_answers_are_compressed_too(client, url):
    ArticleFactory.create_batch(5)  # a list over a kilobyte
    client.get("/api/v1/articles/", **GZIP)
    hit = client.get("/api/v1/articles/", **GZIP)

    assert (hit["X-Page-Cache"], hit["Content-Encoding"]) == ("hit", "gzip")
    assert gzip.decompress(hit.content).startswith(b'{"results":')


@pytest.mark.parametrize(
    ("content_type", "body", "headers"),
    [
        ("text/html; charset=utf-8", b"<p>short</p>", {}),  # under 1 kB
        ("image/png", b"\x89PNG" + bytes(4000), {}),  # not text
        ("text/html", b"<p>" * 2000, {"Content-Encoding": "br"}),  # already encoded
        ("text/html", bytes(range(256)) * 8, {}),  # does not get 10 % smaller
    ],
    ids=["small", "image", "encoded", "incompressible"],
)
def test_what_does_not_pay_is_not_compressed(content_type, body, headers):
    response = HttpResponse(body, content_type=content_type, headers=headers)
    if body == bytes(range(256)) * 8:
        response.content = os.urandom(2048)
    assert entries.compressed(response) == b""


def test_text_over_a_kilobyte_is_compressed_the_same_every_time():
    response = HttpResponse("<p>Quasi-ally</p>" * 100, content_type="text/html")
    packed = entries.compressed(response)

    assert gzip.decompress(packed) == response.content
    assert packed == entries.compressed(response)  # no time in the header


def test_pages_not_from_the_cache_are_sent_as_they_are(client, url, settings):
    settings.NEWSROOM_PAGE_CACHE = False
    answer = client.get(url, **GZIP)

    assert answer.status_code == 200
    assert not answer.has_header("Content-Encoding")
