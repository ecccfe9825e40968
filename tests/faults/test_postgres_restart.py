"""PostgreSQL restarted (``pg_ctl restart -m fast``) while readers post and
read: the site answers 503 with Retry-After while it is down, recovers within 5 s of
PostgreSQL accepting connections again without gunicorn being restarted
(Django's CONN_HEALTH_CHECKS replaces the dead persistent connections), no
accepted comment is lost and no half-written row stays.
"""

import threading
import time

import pytest

from tests.faults.outage import Traffic, wait_for

pytestmark = pytest.mark.faults

BEFORE = 2.0  # seconds of traffic before the restart
AFTER = 4.0  # and after PostgreSQL is back
RECOVERY_LIMIT = 5.0


class Watch:
    """Polls pg_isready and notes when PostgreSQL went away and came back."""

    def __init__(self, pg):
        self.pg = pg
        self.down: float | None = None
        self.up: float | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def _loop(self) -> None:
        while not self._stop.is_set():
            ready = self.pg.is_ready()
            now = time.monotonic()
            if not ready and self.down is None:
                self.down = now
            if ready and self.down is not None and self.up is None:
                self.up = now
            time.sleep(0.02)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc_info):
        self._stop.set()
        self._thread.join(timeout=15)


def test_the_site_recovers_from_a_postgres_restart_without_restarting_the_app(
    stack, figures
):
    workers_before = stack.server.worker_pids()
    assert len(workers_before) == 2

    with Traffic(stack) as traffic, Watch(stack.pg) as watch:
        time.sleep(BEFORE)
        restarted = time.monotonic()
        stack.pg.restart()
        assert wait_for(lambda: watch.up is not None, timeout=10), "never came back"
        time.sleep(AFTER)

    assert watch.down is not None and watch.down >= restarted - 0.1
    up = watch.up
    to_page = traffic.first_success_after(up, "reader")
    to_post = traffic.first_success_after(up, "post")
    assert to_page is not None and to_page < RECOVERY_LIMIT
    assert to_post is not None and to_post < RECOVERY_LIMIT

    # The app was not restarted: the same gunicorn workers served throughout.
    assert stack.server.worker_pids() == workers_before

    failures = traffic.failures()
    statuses = sorted({answer.status for answer in failures})
    # Clean errors only: 503 with Retry-After (newsroom.middleware), never a
    # 500, a dropped connection or a hang.
    assert set(statuses) <= {503}, statuses
    # No hang (a hang would also show as a status 0 after 15 s).
    assert max(answer.seconds for answer in traffic.answers) < 10
    # Errors only while PostgreSQL was away (a request queued just before the
    # restart may be answered during it), none once it was back.
    outside = [a for a in failures if a.ended < restarted or a.started >= up]
    assert outside == [], [
        (round(a.started - restarted, 3), round(a.started - up, 3), a.kind, a.status)
        for a in outside
    ]

    accepted = traffic.accepted()
    stored = stack.comments_like(f"%@{traffic.domain}")
    lost = set(accepted) - set(stored)
    assert lost == set()
    assert {cid: stored[cid][0] for cid in accepted} == accepted
    half_written = stack.half_written()
    assert half_written == dict.fromkeys(half_written, 0)
    public = stack.public_count()
    shown = stack.shown_counts()
    assert (shown["article_live"], shown["discussion"]) == (public, public)

    by_kind = {}
    for answer in traffic.answers:
        by_kind.setdefault(answer.kind, {}).setdefault(answer.status, 0)
        by_kind[answer.kind][answer.status] += 1
    figures.update(
        {
            "requests": len(traffic.answers),
            "answers_by_kind_and_status": by_kind,
            "outage_s": round(up - watch.down, 3),
            "restart_command_to_ready_s": round(up - restarted, 3),
            "recovery_to_first_db_page_s": to_page,
            "recovery_to_first_accepted_post_s": to_post,
            "errors_during_outage": len(failures),
            "error_statuses": statuses,
            "errors_after_ready": sum(a.started >= up for a in failures),
            "posts_accepted": len(accepted),
            "accepted_lost": len(lost),
            "stored_not_accepted": len(set(stored) - set(accepted)),
            "slowest_answer_s": round(max(a.seconds for a in traffic.answers), 2),
            "gunicorn_workers_restarted": 0,
            "approved_rows_for_article": public,
            "count_shown": shown,
        }
    )
