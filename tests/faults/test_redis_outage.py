"""Redis stopped while readers post and read: every page is still served
(live, never a 5xx), comments are still taken and held for a moderator
because the rate limit cannot be checked, the outage is logged once per
process, and caching resumes when Redis is back.
"""

import time

import pytest

from caching.backend import RETRY_SECONDS
from tests.faults.outage import Traffic, wait_for
from tests.faults.stack import WORKERS

pytestmark = pytest.mark.faults

DURING = 3.0  # seconds of traffic with Redis down
RESUME_LIMIT = 5.0
HELD_REASON = "The rate limit could not be checked (cache unavailable)."


def test_pages_and_posts_survive_a_redis_outage_and_caching_resumes(stack, figures):
    reader = stack.reader()
    log_before = len(stack.log())
    # Cached before the outage: the second reading is a hit.
    assert reader.get("article", stack.article_url).ok
    warm = reader.get("article", stack.article_url)
    assert warm.cache == "hit", warm

    stack.redis.stop()
    stopped = time.monotonic()
    extra = (("front", "/"), ("discussion", f"/comments/{stack.article_id}/"))
    with Traffic(stack, posters=4, readers=3, pages=extra) as traffic:
        time.sleep(DURING)
    outage = traffic.answers

    # Every answer was a page or an accepted post: no 5xx, nothing dropped.
    statuses = {(a.kind, a.status) for a in outage}
    assert all(a.ok for a in outage), sorted(statuses)
    assert not any(a.cache == "hit" for a in outage)
    # No hang: nothing waits on the dead Redis for a socket timeout. Only a
    # hang is asserted; how fast pages are while it is down is a figure
    # (p90 below, and docs/security/faults.md), not a timed test.
    times = sorted(a.seconds for a in outage)
    p90 = times[int(len(times) * 0.9)]
    assert times[-1] < 10, (p90, times[-1])
    # Each accepted post is stored, held for a moderator with the reason.
    accepted = traffic.accepted()
    assert accepted
    stored = stack.comments_like(f"%@{traffic.domain}")
    assert set(stored) == set(accepted)
    assert {row[1:] for row in stored.values()} == {("pending", "rate-limit")}
    reasons = stack.rows(
        "SELECT DISTINCT moderation_reason FROM comments_comment WHERE id = ANY(%s)",
        [list(stored)],
    )
    assert reasons == [(HELD_REASON,)]

    stack.redis.start()
    back = time.monotonic()
    hit = wait_for(
        lambda: reader.get("article", stack.article_url).cache == "hit",
        timeout=RESUME_LIMIT,
    )
    assert hit is not None, "the page cache did not resume"

    # Once every process has asked Redis again, the rate limit decides again.
    time.sleep(RETRY_SECONDS + 0.1)
    after = reader.post_comment(
        email=f"after@{traffic.domain}",
        name="After the outage",
        body="Posted once the cache was back.",
        ip="10.99.0.1",
    )
    assert after.status == 303, after
    assert stack.comments_like(f"after@{traffic.domain}")[after.comment_id][1:] == (
        "approved",
        "default",
    )

    log = stack.log()[log_before:]
    went = log.count("cache unavailable (")
    came_back = log.count("cache available again after")
    assert 1 <= went <= WORKERS, log[-2000:]
    assert 1 <= came_back <= WORKERS, log[-2000:]
    assert "Traceback" not in log

    by_kind = {}
    seconds_by_kind = {}
    for answer in outage:
        by_kind.setdefault(answer.kind, {}).setdefault(answer.status, 0)
        by_kind[answer.kind][answer.status] += 1
        seconds_by_kind.setdefault(answer.kind, []).append(answer.seconds)
    figures.update(
        {
            "redis_down_s": round(back - stopped, 1),
            "requests_while_down": len(outage),
            "answers_by_kind_and_status": by_kind,
            "5xx_while_down": sum(a.status >= 500 for a in outage),
            "posts_accepted_and_held": len(accepted),
            "p90_answer_while_down_s": round(p90, 3),
            "p90_by_kind_s": {
                kind: round(sorted(each)[int(len(each) * 0.9)], 3)
                for kind, each in seconds_by_kind.items()
            },
            "slowest_answer_while_down_s": round(times[-1], 3),
            "redis_back_to_first_cache_hit_s": round(hit - back, 3),
            "outage_log_lines": {"unavailable": went, "available_again": came_back},
        }
    )
