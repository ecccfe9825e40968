"""The bench's framework floor is routed by the bench's own URLconf only."""

import pytest
from django.urls import clear_url_caches


@pytest.fixture
def bench_urls(settings):
    settings.ROOT_URLCONF = "bench.urls"
    clear_url_caches()
    yield
    clear_url_caches()


def test_the_site_has_no_bench_route(client, db):
    assert client.get("/bench/").status_code == 404


def test_the_bench_urlconf_adds_the_floor_and_keeps_the_site(client, db, bench_urls):
    response = client.get("/bench/")
    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert client.get("/").status_code == 200
