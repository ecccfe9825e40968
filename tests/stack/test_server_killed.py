"""
An app server killed mid-load (SIGKILL, posts in flight): no accepted comment
is lost, and HAProxy's /readyz check takes the dead server out.

Readers post and read through the balancer while the second app server is
killed, master and workers at once, as when its machine is lost. Every post
answered 303 must be stored exactly once; a post cut off with its server may
or may not be stored (its reader got no answer, and would post again), which
is counted and printed, never asserted away. The figures are printed under
"app server figures": reproduce with
``.venv/bin/python -m pytest -m stack -p no:cacheprovider tests/stack/``.
"""

import time

import pytest

from tests.faults.outage import Traffic, wait_for

pytestmark = pytest.mark.stack

VICTIM = "app2"
SETTLE = 0.5  # seconds after the balancer marks it down: answers in flight end
TAKE_OUT_BOUND = 5.0  # the check's inter 1 s + fall 2 × fastinter 250 ms, and slack
AFTER_SECONDS = 3.0  # load kept on the survivor after the dead one is out


def test_a_server_killed_mid_load_loses_no_accepted_comment_and_is_taken_out(
    cluster, figures
):
    with Traffic(cluster, posters=4, readers=2) as traffic:
        assert wait_for(lambda: len(traffic.accepted()) >= 20, timeout=30), (
            "no posts accepted before the kill"
        )
        killed_at = time.monotonic()
        cluster.kill(VICTIM)
        take_out = cluster.wait_states(
            {VICTIM: "DOWN", "app1": "UP"}, timeout=TAKE_OUT_BOUND
        )
        out_at = killed_at + take_out
        time.sleep(AFTER_SECONDS)
    answers = list(traffic.answers)
    posts = [a for a in answers if a.kind == "post"]
    accepted = traffic.accepted()
    stored = cluster.comments_like(f"%@{traffic.domain}")
    stored_emails = [email for email, _status, _rule in stored.values()]
    during = [a for a in answers if not a.ok and a.ended >= killed_at]
    after = [a for a in answers if not a.ok and a.started >= out_at + SETTLE]
    figures.update(
        {
            "requests": len(answers),
            "posts_sent": len(posts),
            "posts_accepted": len(accepted),
            "servers_killed": 1,
            "seconds_to_take_out": round(take_out, 3),
            "errors_total": len(traffic.failures()),
            "errors_from_kill_to_out": len(during),
            "errors_after_out": len(after),
            "error_kinds": sorted({f"{a.status}{a.error}" for a in during}),
            "accepted_lost": len(set(accepted) - set(stored)),
            "stored_not_accepted": len(set(stored) - set(accepted)),
            "stored_twice": len(stored_emails) - len(set(stored_emails)),
        }
    )
    assert figures["accepted_lost"] == 0, figures
    assert figures["stored_twice"] == 0, figures
    for comment_id, email in accepted.items():
        assert stored[comment_id][0] == email
    assert take_out < TAKE_OUT_BOUND
    assert after == [], after[:5]
    assert cluster.half_written() == dict.fromkeys(cluster.half_written(), 0)


def test_a_restarted_server_is_put_back_by_the_health_check(cluster, figures):
    server = cluster.servers[VICTIM]
    if server.process is not None and server.process.poll() is None:
        pytest.fail("the server killed by the previous test is still running")
    started = time.monotonic()
    server.start()
    back = cluster.wait_states({VICTIM: "UP", "app1": "UP"}, timeout=60)
    figures["seconds_to_put_back_after_start"] = round(back, 1)
    assert time.monotonic() - started < 60
