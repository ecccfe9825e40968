"""The double-click claim (``DuplicateRule``) rides in the rate limit's cache
call (``ratelimit.check_all(claims=...)``): a new reader's post asks the
cache once for its four limits and the claim, and a refused post gives the
claim back with its slots."""

from unittest import mock

import pytest
from django.core.cache import cache

from comments import ratelimit, rules
from comments.rules import REFUSED, moderate
from tests.comments.test_rules import submission

pytestmark = pytest.mark.django_db


@pytest.fixture
def spy(monkeypatch):
    spy = mock.MagicMock(wraps=cache)
    spy.failures = 0
    monkeypatch.setattr(ratelimit, "cache", spy)
    monkeypatch.setattr(rules, "cache", spy)
    return spy


def test_a_new_readers_limits_and_claim_are_one_cache_call(article, config, spy):
    sub = submission(article)

    assert rules.RateLimitRule().check(sub, config) is None
    assert rules.DuplicateRule().check(sub, config) is None

    assert [call[0] for call in spy.method_calls] == ["add_many"]
    assert cache.get(sub.double_click_key()) == 1


def test_a_double_click_is_refused_before_either_copy_is_stored(article, trusting):
    trusting.rate_short_count = trusting.rate_long_count = 100
    first = moderate(submission(article), trusting)
    second = moderate(submission(article, ip="198.51.100.8"), trusting)

    assert first.status == "approved"
    assert (second.status, second.rule, second.http_status) == (
        REFUSED,
        "duplicate",
        409,
    )


def test_a_rate_limited_post_gives_its_claim_back(article, config):
    config.rate_short_count = 1
    assert moderate(submission(article, body="A first thought."), config).rule != (
        "rate-limit"
    )
    sub = submission(article, body="A second thought, straight after.")

    refused = moderate(sub, config)

    assert (refused.rule, refused.http_status) == ("rate-limit", 429)
    # Posted again after the wait, the same text is not a "duplicate".
    assert cache.get(sub.double_click_key()) is None


def test_without_a_duplicate_window_nothing_is_claimed(article, config, spy):
    config.duplicate_window_hours = 0
    sub = submission(article)

    assert rules.RateLimitRule().check(sub, config) is None
    assert rules.DuplicateRule().check(sub, config) is None

    (call,) = spy.method_calls
    assert not any(":dup:" in key for key, *_ in call.args[0])


def test_a_claim_the_cache_could_not_take_refuses_nothing(article, config):
    sub = submission(article)
    with mock.patch.object(ratelimit, "_add_first_slots", side_effect=_failing):
        held = rules.RateLimitRule().check(sub, config)

    assert (held.status, held.final) == ("pending", False)
    assert rules.DuplicateRule().check(sub, config) is None


def _failing(asked):
    cache.failures = getattr(cache, "failures", 0) + 1
    return [False] * len(asked)
