"""Anonymous callers are limited per address, in the shared cache (cached
answers count too); an API key from the admin raises the limit, and a
revoked or unknown key is refused."""

import pytest
from django.core.cache import cache

from api import keys
from api.models import ApiKey

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def low_limit(settings):
    settings.API_RATE_PER_MINUTE = 3


def statuses(client, n, **headers) -> list[int]:
    return [client.get("/api/v1/sections/", **headers).status_code for _ in range(n)]


def test_an_address_gets_its_limit_then_429_with_retry_after(client, newsroom):
    assert statuses(client, 3) == [200, 200, 200]
    refused = client.get("/api/v1/sections/")
    assert refused.status_code == 429
    assert refused["Content-Type"] == "application/problem+json"
    assert refused.json()["type"] == "urn:newsroom:problem:rate-limited"
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert refused["X-RateLimit-Remaining"] == "0"


def test_each_address_has_its_own_count(client, newsroom):
    assert statuses(client, 4, REMOTE_ADDR="198.51.100.1")[-1] == 429
    assert statuses(client, 1, REMOTE_ADDR="198.51.100.2") == [200]


def test_an_ipv6_caller_cannot_escape_its_limit_within_its_64(client, newsroom):
    """One /64 is one caller, as comments count it: hopping from address to
    address inside it does not reset the count; another /64 has its own."""
    hops = [f"2001:db8:1:2::{n}" for n in range(1, 5)]
    answers = [
        client.get("/api/v1/sections/", REMOTE_ADDR=ip).status_code for ip in hops
    ]
    assert answers == [200, 200, 200, 429]
    assert statuses(client, 1, REMOTE_ADDR="2001:db8:1:3::1") == [200]


def test_the_count_lives_in_the_shared_cache(client, newsroom):
    statuses(client, 3)
    cache.clear()  # another process sees the same store: clearing it resets all
    assert statuses(client, 1) == [200]


@pytest.mark.usefixtures("page_cache_on")
def test_cached_answers_count_too(client, newsroom):
    assert statuses(client, 3) == [200, 200, 200]
    assert statuses(client, 1) == [429]


def test_a_key_raises_the_limit(client, newsroom):
    _, raw = keys.api_key_create(name="Mobile app", per_minute=10)
    assert statuses(client, 10, HTTP_X_API_KEY=raw) == [200] * 10
    assert statuses(client, 1, HTTP_X_API_KEY=raw) == [429]


def test_keys_are_stored_hashed(newsroom):
    key, raw = keys.api_key_create(name="Partner")
    stored = ApiKey.objects.get(pk=key.pk)
    assert raw not in (stored.digest, stored.prefix)
    assert stored.digest == keys.digest(raw)
    assert raw.startswith(stored.prefix)


def test_a_revoked_key_stops_working_at_once(
    client, newsroom, django_capture_on_commit_callbacks
):
    key, raw = keys.api_key_create(name="Partner")
    assert statuses(client, 1, HTTP_X_API_KEY=raw) == [200]  # now cached
    with django_capture_on_commit_callbacks(execute=True):
        keys.api_key_revoke(key=key)
    refused = client.get("/api/v1/sections/", HTTP_X_API_KEY=raw)
    assert refused.status_code == 401
    assert refused.json()["detail"] == "This API key is unknown or revoked."


def test_an_unknown_key_is_refused(client, newsroom):
    assert statuses(client, 1, HTTP_X_API_KEY="nk_made-up") == [401]


def test_a_key_made_in_the_admin_is_shown_once_and_works(
    admin_client, client, newsroom
):
    response = admin_client.post(
        "/admin/api/apikey/add/", {"name": "Newsletter", "per_minute": 50}, follow=True
    )
    shown = [str(m) for m in response.context["messages"]]
    raw = shown[0].split("The new key is ")[1].split(" ")[0]
    assert statuses(client, 1, HTTP_X_API_KEY=raw) == [200]
    key = ApiKey.objects.get(name="Newsletter")
    assert (
        raw
        not in admin_client.get(f"/admin/api/apikey/{key.pk}/change/").content.decode()
    )

    admin_client.post(
        "/admin/api/apikey/",
        {"action": "revoke", "_selected_action": [key.pk]},
    )
    assert ApiKey.objects.get(pk=key.pk).revoked_at is not None


def test_the_site_cache_counts_a_window_in_one_step_that_expires():
    """``incr_or_start`` (Redis or the disk cache, whichever this run uses):
    the count ``get`` reads, on a key that lives no longer than asked."""
    counts = [cache.incr_or_start("api:rate:test", timeout=70) for _ in range(3)]
    assert counts == [1, 2, 3]
    assert cache.get("api:rate:test") == 3
    # A lease (api.throttle) adds several at once, in the same one step.
    assert cache.incr_or_start("api:rate:test", timeout=70, delta=10) == 13
    assert cache.incr_or_start("api:rate:lease", timeout=70, delta=10) == 10
    if hasattr(cache, "_servers"):  # Redis: the lifetime is the server's
        key = cache.make_and_validate_key("api:rate:test")
        assert 0 < cache._cache.get_client(key).ttl(key) <= 70
