"""Purges that reach the edge (caching.edge): the headers public pages carry,
and the requests each adapter sends, against a recording HTTP server on
127.0.0.1. The Fastly and Cloudflare adapters are checked for the requests
they build only; nothing here talks to Fastly or Cloudflare."""

import json
import logging
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.test import Client

from articles import cache as article_cache
from caching import edge, pages, purges
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


class Recorder(ThreadingHTTPServer):
    """Answers every request with ``status`` after ``delay`` seconds and
    records method, path, headers and body."""

    daemon_threads = True

    def __init__(self, status=200, delay=0.0):
        self.status, self.delay, self.seen = status, delay, []
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def _any(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                recorder.seen.append((self.command, self.path, self.headers, body))
                time.sleep(recorder.delay)
                self.send_response(recorder.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            do_PURGE = do_POST = do_GET = _any

            def log_message(self, *args):
                pass

        super().__init__(("127.0.0.1", 0), Handler)

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server_address[1]}"


@pytest.fixture
def recorder():
    servers = []

    def start(**kwargs):
        server = Recorder(**kwargs)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture
def varnish(settings, recorder):
    hosts = [recorder(), recorder()]
    settings.NEWSROOM_EDGE_PURGE = "varnish"
    settings.NEWSROOM_EDGE_PURGE_URLS = [host.url for host in hosts]
    settings.NEWSROOM_EDGE_PURGE_TIMEOUT = 0.5
    return hosts


# Keys and headers ---------------------------------------------------------------------


def test_our_tags_go_out_unchanged_and_anything_else_as_a_digest(settings):
    tags = [article_cache.article_tag(12), article_cache.list_tag(section=3)]
    assert [edge.edge_key(tag) for tag in tags] == tags
    odd = ["Japan, UK", "x" * 65, "日本", "Article:1"]
    keys = [edge.edge_key(tag) for tag in odd]
    assert all(edge.SAFE_KEY.fullmatch(key) and key.startswith("h-") for key in keys)
    assert len(set(keys)) == len(odd)
    settings.NEWSROOM_EDGE_KEY_PREFIX = "news1:"
    assert edge.edge_key(tags[0]) == "news1:" + tags[0]


@pytest.mark.parametrize("adapter", ["varnish", "fastly"])
def test_a_stored_page_carries_its_tags_and_a_hit_replays_them(settings, adapter):
    settings.NEWSROOM_PAGE_CACHE = True
    settings.NEWSROOM_EDGE_PURGE = adapter
    article = ArticleFactory()
    url = article.get_absolute_url()
    client = Client()
    miss = client.get(url)
    hit = client.get(url)
    assert (miss["X-Page-Cache"], hit["X-Page-Cache"]) == ("miss", "hit")
    keys = miss["Surrogate-Key"].split(" ")
    assert article_cache.article_tag(article.pk) in keys
    assert article_cache.comments_tag(article.pk) in keys
    assert article_cache.NAV in keys
    assert hit["Surrogate-Key"] == miss["Surrogate-Key"]
    assert not miss.has_header("Cache-Tag"), "only the header this edge reads"
    assert "s-maxage=600" in hit["Cache-Control"]


def test_cloudflare_pages_carry_their_tags_as_cache_tag_only(settings):
    settings.NEWSROOM_PAGE_CACHE = True
    settings.NEWSROOM_EDGE_PURGE = "cloudflare"
    article = ArticleFactory()
    client = Client()
    miss = client.get(article.get_absolute_url())
    hit = client.get(article.get_absolute_url())
    keys = miss["Cache-Tag"].split(",")
    assert article_cache.article_tag(article.pk) in keys
    assert hit["Cache-Tag"] == miss["Cache-Tag"]
    assert not miss.has_header("Surrogate-Key")


def test_without_an_edge_to_purge_pages_carry_no_tags(settings):
    """EDGE_PURGE=none (the default): nobody reads the keys, so none are sent;
    the page is cached and kept at any edge exactly as before."""
    settings.NEWSROOM_PAGE_CACHE = True
    assert settings.NEWSROOM_EDGE_PURGE == "none"
    url = ArticleFactory().get_absolute_url()
    client = Client()
    for answer in (client.get(url), client.get(url)):
        assert answer.status_code == 200
        assert not answer.has_header("Surrogate-Key")
        assert not answer.has_header("Cache-Tag")
        assert "s-maxage=600" in answer["Cache-Control"]


def test_a_page_with_a_session_carries_no_tags(settings):
    settings.NEWSROOM_PAGE_CACHE = True
    settings.NEWSROOM_EDGE_PURGE = "varnish"
    article = ArticleFactory()
    client = Client()
    client.cookies["sessionid"] = "staff"
    live = client.get(article.get_absolute_url())
    assert not live.has_header("Surrogate-Key")
    assert "private" in live["Cache-Control"]


@pytest.mark.parametrize("adapter", ["varnish", "cloudflare"])
def test_keys_that_would_not_fit_a_header_keep_the_page_off_the_edge(settings, adapter):
    settings.NEWSROOM_EDGE_PURGE = adapter
    response = pages.HttpResponse("page")
    pages.cdn_headers(response)
    edge.tag_response(response, [f"article:{n}" for n in range(1000)])
    assert not response.has_header("Surrogate-Key")
    assert not response.has_header("Cache-Tag")
    assert "s-maxage=0" in response["Cache-Control"]


# Purges -----------------------------------------------------------------------------


def test_the_default_sends_nothing(recorder, settings):
    assert settings.NEWSROOM_EDGE_PURGE == "none"
    assert edge.current().requests(["article:1"]) == []
    edge.purge(["article:1"])  # no host to reach, no error


def test_varnish_gets_one_purge_per_host_with_each_key_once(varnish):
    purges.purge_now("article:1", "list:front", "article:1", "nav")
    for host in varnish:
        assert len(host.seen) == 1
        method, path, headers, _body = host.seen[0]
        assert (method, path) == ("PURGE", "/")
        assert headers["xkey-purge"] == "article:1 list:front nav"


def test_a_purge_is_sent_after_commit_only(varnish, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        purges.purge("article:7")
    assert varnish[0].seen == []
    for callback in callbacks:
        callback()
    assert varnish[0].seen[0][2]["xkey-purge"] == "article:7"


def test_many_keys_are_split_under_the_header_limit():
    keys = [f"article:{n}" for n in range(1500)]
    built = edge.Varnish(urls=["http://127.0.0.1:9"]).requests(keys)
    assert len(built) > 1
    sent = [key for request in built for key in request.headers["xkey-purge"].split()]
    assert sent == keys
    assert all(
        len(r.headers["xkey-purge"]) <= edge.Varnish.HEADER_LENGTH for r in built
    )


def test_an_edge_that_answers_an_error_is_logged_not_raised(recorder, settings, caplog):
    down = recorder(status=503)
    up = recorder()
    settings.NEWSROOM_EDGE_PURGE = "varnish"
    settings.NEWSROOM_EDGE_PURGE_URLS = [down.url, up.url]
    with caplog.at_level(logging.WARNING, logger="caching.edge"):
        edge.purge(["article:3"])
    assert len(up.seen) == 1, "the other host is still told"
    assert "edge purge failed" in caplog.text and "503" in caplog.text
    assert "article:3" in caplog.text


def test_an_edge_that_hangs_costs_the_timeout_and_no_more(recorder, settings, caplog):
    slow = recorder(delay=3)
    settings.NEWSROOM_EDGE_PURGE = "varnish"
    settings.NEWSROOM_EDGE_PURGE_URLS = [slow.url]
    settings.NEWSROOM_EDGE_PURGE_TIMEOUT = 0.3
    started = time.monotonic()
    edge.purge(["article:3"])
    assert time.monotonic() - started < 1.5
    assert "timed out" in caplog.text


def test_an_edge_nobody_listens_on_is_logged_and_handed_to_the_retry_hook(
    settings, caplog
):
    settings.NEWSROOM_EDGE_PURGE = "varnish"
    settings.NEWSROOM_EDGE_PURGE_URLS = ["http://127.0.0.1:9"]  # discard: refused
    settings.NEWSROOM_EDGE_PURGE_RETRY = "tests.test_edge_purge.remember_retry"
    RETRIED.clear()
    edge.purge(["list:front", "article:3"])
    assert "edge purge failed" in caplog.text
    assert RETRIED == [["article:3", "list:front"]]
    with pytest.raises(edge.EdgeError):
        edge.current().send(RETRIED[0])  # what a retrying job calls


RETRIED: list = []


def remember_retry(*, keys):
    RETRIED.append(keys)


def test_fastly_request_is_its_batch_purge_by_surrogate_key(settings):
    settings.NEWSROOM_EDGE_PURGE = "fastly"
    settings.NEWSROOM_EDGE_FASTLY_SERVICE_ID = "SU1Z0isxPaozGVKXdv0eY"
    settings.NEWSROOM_EDGE_FASTLY_TOKEN = "token-1"
    keys = [f"article:{n}" for n in range(300)]
    built = edge.current().requests(keys)
    assert [len(json.loads(r.body)["surrogate_keys"]) for r in built] == [256, 44]
    first = built[0]
    assert first.method == "POST"
    assert first.url == "https://api.fastly.com/service/SU1Z0isxPaozGVKXdv0eY/purge"
    assert first.headers["Fastly-Key"] == "token-1"


def test_cloudflare_request_is_its_purge_by_cache_tag(settings):
    settings.NEWSROOM_EDGE_PURGE = "cloudflare"
    settings.NEWSROOM_EDGE_CLOUDFLARE_ZONE_ID = "023e105f4ecef8ad9ca31a8372d0c353"
    settings.NEWSROOM_EDGE_CLOUDFLARE_TOKEN = "token-2"
    built = edge.current().requests([f"tag:{n}" for n in range(31)])
    assert [len(json.loads(r.body)["tags"]) for r in built] == [30, 1]
    assert built[0].url == (
        "https://api.cloudflare.com/client/v4/zones/"
        "023e105f4ecef8ad9ca31a8372d0c353/purge_cache"
    )
    assert built[0].headers["Authorization"] == "Bearer token-2"


def test_api_adapters_post_what_they_build(recorder, settings):
    """Sent for real, to a local server standing in for the API's address."""
    api = recorder()
    settings.NEWSROOM_EDGE_PURGE = "cloudflare"
    settings.NEWSROOM_EDGE_PURGE_URLS = [api.url]
    settings.NEWSROOM_EDGE_CLOUDFLARE_ZONE_ID = "zone"
    settings.NEWSROOM_EDGE_CLOUDFLARE_TOKEN = "token"
    edge.purge(["nav", "article:1"])
    method, path, headers, body = api.seen[0]
    assert (method, path) == ("POST", "/zones/zone/purge_cache")
    assert json.loads(body) == {"tags": ["article:1", "nav"]}
    assert headers["Content-Type"] == "application/json"


def test_settings_name_every_adapter():
    from newsroom.settings import base

    assert set(base._EDGE_NEEDS) == set(edge.ADAPTERS)


def test_the_headers_are_worked_out_on_a_miss_never_on_a_hit(settings, monkeypatch):
    settings.NEWSROOM_PAGE_CACHE = True
    settings.NEWSROOM_EDGE_PURGE = "varnish"
    calls = []
    original = edge.tag_response
    monkeypatch.setattr(edge, "tag_response", lambda *a: calls.append(original(*a)))
    url = ArticleFactory().get_absolute_url()
    client = Client()
    assert client.get(url)["X-Page-Cache"] == "miss"
    for _ in range(3):
        assert client.get(url)["X-Page-Cache"] == "hit"
    assert len(calls) == 1


def test_a_page_rendered_while_a_purge_ran_is_kept_off_the_edge(settings, monkeypatch):
    """The page cache does not store it (tests/faults/test_page_cache_race.py);
    nor may the edge, which no later purge of this change would reach."""
    from articles.views import pages as views

    settings.NEWSROOM_PAGE_CACHE = True
    article = ArticleFactory()
    render_context = views.article_page_context

    def purge_while_rendering(obj):
        purges.purge_now(article_cache.comments_tag(obj.pk))
        return render_context(obj)

    monkeypatch.setattr(views, "article_page_context", purge_while_rendering)
    response = Client().get(article.get_absolute_url())
    assert response.status_code == 200
    assert "s-maxage=0" in response["Cache-Control"]
    monkeypatch.setattr(views, "article_page_context", render_context)
    again = Client().get(article.get_absolute_url())
    assert again["X-Page-Cache"] == "miss", "not stored either"
    assert "s-maxage=600" in again["Cache-Control"]
