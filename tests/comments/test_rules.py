"""Each moderation rule on its own, with input that trips it and input that does not."""

import multiprocessing
import time
from datetime import timedelta
from unittest import mock

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils import timezone

from comments import ratelimit, rules
from comments.history import commenter_history
from comments.models import Ban, Comment, ModerationWord, email_digest
from comments.rules import REFUSED, Submission, moderate
from tests.factories import (
    ArticleFactory,
    BanFactory,
    CommentFactory,
    ModerationWordFactory,
)

pytestmark = pytest.mark.django_db


def submission(article, **overrides):
    values = {
        "article": article,
        "name": "Hannah M.",
        "email": "hannah@example.org",
        "body": "Is there any sign of a mutual defence clause?",
        "ip": "198.51.100.7",
    }
    values.update(overrides)
    return Submission(**values)


def test_the_rules_run_in_the_documented_order():
    assert rules.RULE_NAMES == [
        "closed",
        "honeypot",
        "rate-limit",
        "duplicate",
        "ban",
        "disallowed-words",
        "suspect-words",
        "links",
        "first-time",
        "default",
    ]


# closed


def test_closed_when_the_editor_turned_comments_off(config):
    article = ArticleFactory(allow_comments=False)

    decision = rules.ClosedRule().check(submission(article), config)

    assert decision.status == REFUSED
    assert decision.http_status == 403
    assert decision.reason == "Comments are turned off for this article."


def test_closed_after_the_configured_days(config, settings):
    settings.NEWSROOM_COMMENTS_CLOSE_AFTER_DAYS = 14
    old = ArticleFactory(publish_at=timezone.now() - timedelta(days=14, minutes=1))
    recent = ArticleFactory(publish_at=timezone.now() - timedelta(days=13, hours=23))

    closed = rules.ClosedRule().check(submission(old), config)

    assert closed.status == REFUSED
    assert closed.reason == "Comments close 14 days after publication."
    assert rules.ClosedRule().check(submission(recent), config) is None


def test_zero_days_keeps_discussions_open(config, settings):
    settings.NEWSROOM_COMMENTS_CLOSE_AFTER_DAYS = 0
    ancient = ArticleFactory(publish_at=timezone.now() - timedelta(days=4000))

    assert rules.ClosedRule().check(submission(ancient), config) is None


# honeypot


@pytest.mark.parametrize(("value", "spam"), [("", False), ("   ", False), ("x", True)])
def test_honeypot(article, config, value, spam):
    decision = rules.HoneypotRule().check(submission(article, honeypot=value), config)

    if spam:
        assert decision.status == Comment.Status.SPAM
        assert decision.rule == "honeypot"
    else:
        assert decision is None


# rate limit


def test_rate_limit_per_ip_and_per_email(article, config):
    rule = rules.RateLimitRule()
    assert rule.check(submission(article), config) is None

    same_ip = rule.check(submission(article, email="other@example.org"), config)
    same_email = rule.check(submission(article, ip="203.0.113.9"), config)
    stranger = rule.check(
        submission(article, email="other@example.org", ip="203.0.113.9"), config
    )

    for decision in (same_ip, same_email):
        assert decision.status == REFUSED
        assert decision.http_status == 429
        assert 1 <= decision.retry_after <= 15
        assert decision.reason == "More than 1 comment in 15 seconds."
    assert stranger is None


def test_an_ipv6_reader_cannot_hop_within_their_64(article, config):
    rule = rules.RateLimitRule()
    assert rule.check(submission(article, ip="2001:db8:1:2::1"), config) is None

    hop = rule.check(
        submission(article, ip="2001:db8:1:2:ffff::9", email="x@example.org"), config
    )
    neighbour = rule.check(
        submission(article, ip="2001:db8:1:3::1", email="y@example.org"), config
    )

    assert hop.http_status == 429
    assert neighbour is None


def test_rate_limit_frees_its_slot_when_the_window_has_passed(article, config):
    config.rate_short_seconds = 1
    rule = rules.RateLimitRule()
    assert rule.check(submission(article), config) is None
    assert rule.check(submission(article), config).status == REFUSED

    time.sleep(1.1)

    assert rule.check(submission(article), config) is None


def test_refused_attempts_do_not_extend_the_wait(article, config):
    config.rate_short_seconds = 1
    rule = rules.RateLimitRule()
    assert rule.check(submission(article), config) is None
    time.sleep(0.6)
    assert rule.check(submission(article), config).status == REFUSED
    time.sleep(0.5)

    assert rule.check(submission(article), config) is None


SHORT = ratelimit.Limit("post-ip", 3, 60)


def _attempts(start, won, attempts):
    start.wait()
    won.put(sum(ratelimit.hit(SHORT, "reader").allowed for _ in range(attempts)))


def _checks(start, won, attempts):
    start.wait()
    limits = [(SHORT, "reader"), (ratelimit.Limit("post-ip", 10, 3600), "reader")]
    won.put(sum(ratelimit.check_all(limits).allowed for _ in range(attempts)))


@pytest.mark.parametrize("attempt", [_attempts, _checks], ids=["hit", "check_all"])
def test_the_rate_limit_holds_across_processes(attempt):
    """Four worker processes, one reader, 3 per minute: 3 posts in all, one
    limit at a time or both windows at once (as a post asks them)."""
    context = multiprocessing.get_context("fork")
    start, won = context.Barrier(4), context.Queue()
    workers = [context.Process(target=attempt, args=(start, won, 5)) for _ in "abcd"]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
        assert worker.exitcode == 0

    assert sum(won.get(timeout=10) for _ in workers) == 3


FOUR_LIMITS = [
    (ratelimit.Limit("post-ip", 1, 15), "address"),
    (ratelimit.Limit("post-email", 1, 15), "email"),
    (ratelimit.Limit("post-ip", 10, 3600), "address"),
    (ratelimit.Limit("post-email", 10, 3600), "email"),
]


def test_a_new_reader_takes_the_first_slot_of_every_limit_in_one_call(monkeypatch):
    spy = mock.MagicMock(wraps=ratelimit.cache)
    spy.failures = 0
    monkeypatch.setattr(ratelimit, "cache", spy)

    verdict = ratelimit.check_all(FOUR_LIMITS)

    assert verdict.allowed and len(verdict.taken) == 4
    assert [call[0] for call in spy.method_calls] == ["add_many"]


def test_a_reader_with_a_recent_post_goes_on_to_the_next_slot():
    assert ratelimit.check_all(FOUR_LIMITS[2:]).allowed

    verdict = ratelimit.check_all(FOUR_LIMITS[2:])

    assert verdict.allowed
    assert all(key.endswith(":1") for key in verdict.taken)


def test_a_refusal_gives_back_the_slots_taken_in_the_same_call():
    assert ratelimit.check_all(FOUR_LIMITS[:1]).allowed

    verdict = ratelimit.check_all(FOUR_LIMITS)

    assert not verdict.allowed
    assert verdict.limit == FOUR_LIMITS[0][0] and 1 <= verdict.retry_after <= 15
    assert ratelimit.check_all(FOUR_LIMITS[1:]).allowed  # nothing was kept


def test_a_limit_of_zero_refuses_every_attempt():
    verdict = ratelimit.check_all([(ratelimit.Limit("post-ip", 0, 15), "address")])

    assert not verdict.allowed and not verdict.undecided
    assert verdict.retry_after == 15


def test_the_site_cache_adds_many_keys_each_with_its_lifetime():
    """``add_many`` (Redis or the disk cache, whichever this run uses)."""
    assert cache.add("slot:taken", 1, 60)

    added = cache.add_many(
        [("slot:taken", 2, 60), ("slot:short", 2.5, 15), ("slot:long", 3, 3600)]
    )

    assert added == [False, True, True]
    assert cache.get_many(["slot:taken", "slot:short", "slot:long"]) == {
        "slot:taken": 1,
        "slot:short": 2.5,
        "slot:long": 3,
    }
    if hasattr(cache, "_servers"):  # Redis: the lifetimes are the server's
        ttl = {}
        for name in ("slot:short", "slot:long"):
            key = cache.make_and_validate_key(name)
            ttl[name] = cache._cache.get_client(key).ttl(key)
        assert 0 < ttl["slot:short"] <= 15 < ttl["slot:long"] <= 3600


def test_rate_limit_long_window(article, config):
    config.rate_short_count = 100
    config.rate_long_count = 3
    rule = rules.RateLimitRule()

    results = [rule.check(submission(article), config) for _ in range(4)]

    assert results[:3] == [None, None, None]
    assert results[3].http_status == 429
    assert results[3].reason == "More than 3 comments in 3600 seconds."
    assert 3590 <= results[3].retry_after <= 3600


def test_a_refused_long_window_gives_back_the_short_window_slot(article, config):
    config.rate_short_count = 2
    config.rate_long_count = 1
    rule = rules.RateLimitRule()
    assert rule.check(submission(article), config) is None
    assert rule.check(submission(article), config).status == REFUSED

    config.rate_long_count = 5  # a moderator raises the long limit
    assert rule.check(submission(article), config) is None


# duplicate


def test_duplicate_of_a_recent_comment_is_refused(article, config):
    CommentFactory(
        article=article,
        author_email="hannah@example.org",
        body="Is there any sign   of a mutual defence CLAUSE?",
    )

    decision = rules.DuplicateRule().check(submission(article), config)

    assert decision.status == REFUSED
    assert decision.http_status == 409
    assert decision.reason == "The same comment was already posted here."


def test_same_words_elsewhere_or_from_someone_else_are_not_duplicates(article, config):
    CommentFactory(
        article=ArticleFactory(),
        author_email="hannah@example.org",
        body="Is there any sign of a mutual defence clause?",
    )
    CommentFactory(
        article=article,
        author_email="someone@example.org",
        body="Is there any sign of a mutual defence clause?",
    )

    assert rules.DuplicateRule().check(submission(article), config) is None


def test_an_old_comment_is_outside_the_duplicate_window(article, config):
    old = CommentFactory(
        article=article,
        author_email="hannah@example.org",
        body="Is there any sign of a mutual defence clause?",
    )
    Comment.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - timedelta(hours=25)
    )

    assert rules.DuplicateRule().check(submission(article), config) is None


def test_a_double_click_is_caught_before_either_copy_is_stored(article, config):
    assert rules.DuplicateRule().check(submission(article), config) is None

    second = rules.DuplicateRule().check(submission(article), config)

    assert second.http_status == 409


def test_duplicate_check_can_be_turned_off(article, config):
    config.duplicate_window_hours = 0
    CommentFactory(
        article=article,
        author_email="hannah@example.org",
        body="Is there any sign of a mutual defence clause?",
    )

    assert rules.DuplicateRule().check(submission(article), config) is None


# bans


@pytest.mark.parametrize(
    ("kind", "value", "ip"),
    [
        ("email", "HANNAH@example.org", "198.51.100.7"),
        ("ip", "198.51.100.7", "198.51.100.7"),
        ("network", "198.51.100.0/24", "198.51.100.7"),
        ("network", "2001:db8::/48", "2001:db8::1"),
        ("ip", "2001:0db8:0000::0001", "2001:db8::1"),
    ],
)
def test_banned_email_ip_and_network_are_rejected(article, config, kind, value, ip):
    ban = BanFactory(kind=kind, value=value, reason="Abuse of other readers.")

    decision = rules.BanRule().check(submission(article, ip=ip), config)

    assert decision.status == Comment.Status.REJECTED
    assert decision.reason.startswith(f"Banned {ban.get_kind_display().lower()}")
    assert decision.reason.endswith("Abuse of other readers.")


def test_bans_that_do_not_cover_the_reader_or_have_expired(article, config):
    BanFactory(kind="network", value="203.0.113.0/24")
    BanFactory(kind="ip", value="198.51.100.8")
    BanFactory(
        kind="email",
        value="hannah@example.org",
        expires_at=timezone.now() - timedelta(minutes=1),
    )

    assert rules.BanRule().check(submission(article), config) is None


@pytest.mark.parametrize(
    ("email", "ip"),
    [
        ("hannah@example.org", "198.51.100.7"),
        ("hannah@example.org", None),
        ("other@example.org", "2001:db8::1"),
        ("erased@example.org", "203.0.113.200"),
    ],
)
def test_the_one_query_finds_the_bans_the_orm_finds(article, email, ip):
    expired = timezone.now() - timedelta(minutes=1)
    for kind, value, expires_at in [
        ("email", "hannah@example.org", None),
        ("email", email_digest("erased@example.org"), None),
        ("ip", "198.51.100.7", None),
        ("network", "2001:db8::/48", None),
        ("network", "203.0.113.0/24", None),
        ("network", "192.0.2.0/24", None),
        ("ip", "203.0.113.200", expired),
    ]:
        BanFactory(kind=kind, value=value, expires_at=expires_at)

    found = commenter_history(
        article_id=article.pk, email=email, ip=ip, duplicate_hours=24, needed=1
    )

    assert found.bans() == Ban.objects.matching(email=email, ip=ip)
    assert found.bans()


def test_the_one_query_asks_nothing_the_settings_turned_off(
    article, django_assert_num_queries
):
    with django_assert_num_queries(0):
        found = commenter_history(
            article_id=article.pk, email="", ip=None, duplicate_hours=0, needed=0
        )

    assert (found.recent_bodies, found.ban_ids, found.approved) == ((), (), 0)


def test_an_erased_readers_ban_still_applies_as_a_digest(article, config):
    BanFactory(kind="email", value=email_digest("hannah@example.org"))

    decision = rules.BanRule().check(submission(article), config)

    assert decision.status == Comment.Status.REJECTED


@pytest.mark.parametrize(
    ("kind", "value", "message"),
    [
        ("email", "not-an-address", "Enter a valid email address."),
        ("ip", "300.1.1.1", "Enter a valid ip address."),
        ("network", "198.51.100.0/33", "Enter a valid network (cidr)."),
        ("network", "10.0.0.0/8", "That network is too wide to ban."),
    ],
)
def test_a_ban_with_bad_input_explains_itself(kind, value, message):
    with pytest.raises(ValidationError) as error:
        Ban(kind=kind, value=value).full_clean()

    assert error.value.message_dict["value"] == [message]


# word lists


@pytest.mark.parametrize(
    ("word", "text", "found"),
    [
        ("casino", "Visit our CASINO today", True),
        ("casino", "casinos are fun", False),
        ("casino*", "casinos are fun", True),
        ("ass", "a classic assessment", False),
        ("buy now", "Buy   now!", True),
        ("c++", "I write C++ daily", True),
        ("ärger", "so ein Ärger", True),
    ],
)
def test_words_match_whole_and_ignoring_case(word, text, found):
    assert rules.find_words(text, [word]) == ([word] if found else [])


def test_disallowed_words_mark_as_spam_and_name_the_word(article, config):
    ModerationWordFactory(kind="disallowed", word="Casino*")

    decision = rules.DisallowedWordsRule().check(
        submission(article, body="Best casinos here"), config
    )

    assert decision.status == Comment.Status.SPAM
    assert decision.reason == "Disallowed words: casino*."


def test_disallowed_words_in_the_name_count_too(article, config):
    ModerationWordFactory(kind="disallowed", word="cheap pills")

    decision = rules.DisallowedWordsRule().check(
        submission(article, name="Cheap Pills Shop"), config
    )

    assert decision.status == Comment.Status.SPAM


def test_suspect_words_hold_for_review(article, config):
    ModerationWordFactory(kind="suspect", word="idiot")
    ModerationWordFactory(kind="disallowed", word="casino")

    held = rules.SuspectWordsRule().check(
        submission(article, body="What an idiot"), config
    )
    clean = rules.SuspectWordsRule().check(submission(article), config)

    assert held.status == Comment.Status.PENDING
    assert held.reason == "Suspect words: idiot."
    assert clean is None


@pytest.mark.parametrize(
    ("word", "message"),
    [("   ", "Enter a word or phrase."), ("ca*sino", "A * may only end the word")],
)
def test_a_bad_word_entry_explains_itself(word, message):
    with pytest.raises(ValidationError) as error:
        ModerationWord(word=word, kind="suspect").full_clean()

    assert error.value.message_dict["word"][0].startswith(message)


# links


@pytest.mark.parametrize(("links", "held"), [(0, False), (1, False), (2, True)])
def test_more_links_than_allowed_are_held(article, config, links, held):
    body = " ".join(f"https://example.com/{n}" for n in range(links)) or "no links"

    decision = rules.LinkRule().check(submission(article, body=body), config)

    if held:
        assert decision.status == Comment.Status.PENDING
        assert decision.reason == "2 links (more than 1 allowed)."
    else:
        assert decision is None


# first time


def test_first_comment_from_an_email_is_held(article, config):
    decision = rules.FirstTimeRule().check(submission(article), config)

    assert decision.status == Comment.Status.PENDING
    assert decision.reason == ("0 approved comments from this email so far; 1 needed.")


def test_an_email_with_approved_comments_is_trusted(article, config):
    CommentFactory(author_email="Hannah@Example.org", status="approved")
    CommentFactory(author_email="hannah@example.org", status="rejected")

    assert rules.FirstTimeRule().check(submission(article), config) is None


def test_coral_style_trust_after_two_approved(article, config):
    config.trusted_after_approved = 2
    CommentFactory(author_email="hannah@example.org", status="approved")

    decision = rules.FirstTimeRule().check(submission(article), config)

    assert decision.status == Comment.Status.PENDING
    assert decision.reason.startswith("1 approved comment from this email so far")


# default and the policy as a whole


def test_default_approves_or_premoderates(article, config):
    assert rules.DefaultRule().check(submission(article), config).status == "approved"
    config.premoderate_all = True
    decision = rules.DefaultRule().check(submission(article), config)
    assert decision.status == Comment.Status.PENDING
    assert decision.reason == "Every comment is held for review."


def test_the_first_rule_that_decides_wins(article, config):
    BanFactory(kind="email", value="hannah@example.org")
    ModerationWordFactory(kind="disallowed", word="casino")

    honeypot = moderate(submission(article, honeypot="x", body="casino"), config)
    banned = moderate(
        submission(
            article, ip="203.0.113.1", email="hannah@example.org", body="casino"
        ),
        config,
    )

    assert (honeypot.rule, honeypot.status) == ("honeypot", "spam")
    assert (banned.rule, banned.status) == ("ban", "rejected")


def test_a_clean_comment_from_a_trusted_reader_is_approved(article, config):
    CommentFactory(author_email="hannah@example.org", status="approved")

    decision = moderate(submission(article), config)

    assert (decision.rule, decision.status) == ("default", "approved")
