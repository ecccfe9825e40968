"""
Stampede (issue 16): 64 readers on the hot article while a moderator approves
a comment every 100 ms.

1. Without approvals: ``wrk -c64`` on the hot page for BENCH_DURATION seconds
   (after the warm-up), as anonymous readers through the page cache.
2. The same load while a moderator, a process of its own
   (``python -m bench.stampede moderate``), approves one pending reply every
   ``APPROVAL_EVERY`` seconds through ``comment_approve``, the service the
   admin calls. In both phases a watcher (a thread here, one more anonymous
   reader) fetches the page every ``WATCH_EVERY`` seconds, noting when the
   page's comment count first took in each approval.
3. Figures: the throughput and p99 of (2) as ratios to (1), renders per purge
   (the page cache's own counters of what each miss did, which
   ``bench.settings`` turns on: ``NEWSROOM_PAGE_CACHE_STATS``), and the time
   from each approval (its service call returning, the purge sent) until the
   watcher's answer showing it arrived: max and 95th percentile.

The comments are stored pending before the run (``comment_bulk_create``) and
deleted afterwards (``comment_delete``), so the bench data keeps its size.
``BENCH_STAMPEDE_PAGE`` picks the hot page: ``viral`` (default: 2,000
comments, so its first page of threads is full and new comments land on a
later one; what grows on the page read is its count) or ``article`` (an
ordinary piece, whose first page takes in each new comment as well).
"""

import http.client
import json
import math
import os
import re
import secrets
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

from bench import load

PROJECT = Path(__file__).resolve().parent.parent
CONNECTIONS = 64
APPROVAL_EVERY = 0.1  # seconds
WATCH_EVERY = 0.02  # seconds between the watcher's requests
COUNT = re.compile(r'id="comments-title">([\d,]+) comment')
READER = "bench-stampede@example.org"


def hot_page(targets) -> str:
    choice = os.environ.get("BENCH_STAMPEDE_PAGE", "viral").strip() or "viral"
    if choice not in {"article", "viral"}:
        raise SystemExit("BENCH_STAMPEDE_PAGE must be article or viral.")
    return targets.viral if choice == "viral" else targets.article


def _pending_comments(path: str, count: int) -> list[int]:
    """``count`` pending comments under the article at ``path``."""
    from django.urls import resolve

    from articles.models import Article
    from comments.models import Comment
    from comments.services import comment_bulk_create

    article = Article.objects.published().get(slug=resolve(path).kwargs["slug"])
    run = secrets.token_hex(3)
    comments = comment_bulk_create(
        comments=[
            Comment(
                article=article,
                author_name="Bench reader",
                author_email=READER,
                body=f"Stampede comment {run}-{n}",
                status=Comment.Status.PENDING,
            )
            for n in range(count)
        ],
        via="bench stampede",
    )
    return [comment.pk for comment in comments]


def _delete(ids: list[int]) -> None:
    from comments.models import Comment
    from comments.services import comment_delete

    for comment in Comment.objects.filter(pk__in=ids):
        comment_delete(comment=comment, actor=None, reason="bench stampede")


class Watcher(threading.Thread):
    """One more reader: fetches the page every WATCH_EVERY seconds and notes
    when each comment count was first in an answer."""

    def __init__(self, url: str):
        super().__init__(daemon=True)
        self.url = urlsplit(url)
        self.seen: dict[int, float] = {}
        self.stop = threading.Event()
        self.fetches = 0

    def run(self) -> None:
        connection = http.client.HTTPConnection(
            self.url.hostname, self.url.port, timeout=30
        )
        while not self.stop.wait(WATCH_EVERY):
            try:
                connection.request("GET", self.url.path)
                body = connection.getresponse().read().decode()
            except (OSError, http.client.HTTPException):
                connection.close()
                continue
            arrived = time.time()
            self.fetches += 1
            found = COUNT.search(body)
            if found:
                self.seen.setdefault(int(found[1].replace(",", "")), arrived)
        connection.close()

    def count(self) -> int:
        """The latest count seen."""
        return max(self.seen, default=0)


def _percentile(values: list[float], share: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(share * len(ordered)) - 1)]


def _outcomes_since(before: dict | None = None) -> dict:
    """What misses did (caching.coalesce's counters), since ``before``."""
    from caching import coalesce

    now = coalesce.stats()
    return {name: value - (before or {}).get(name, 0) for name, value in now.items()}


def measure(*, base_url: str, path: str, cfg, env: dict) -> dict:
    """Both phases on ``path``; the scenario's result for the report."""
    work = load.Load(
        url=base_url + path,
        duration=cfg.duration,
        threads=cfg.threads,
        connections=CONNECTIONS,
    )
    watcher = Watcher(base_url + path)
    watcher.start()
    if cfg.warmup:
        load.run(load.Load(**{**work.__dict__, "duration": cfg.warmup}))
    baseline = load.run(work)

    ids = _pending_comments(path, math.ceil(cfg.duration / APPROVAL_EVERY))
    try:
        time.sleep(0.5)
        before, outcomes = watcher.count(), _outcomes_since()
        moderator = subprocess.Popen(
            [sys.executable, "-m", "bench.stampede", "moderate", *map(str, ids)],
            env=env,
            cwd=PROJECT,
            stdout=subprocess.PIPE,
            text=True,
        )
        # Django is set up there; its first approval goes out as wrk starts.
        if moderator.stdout.readline().strip() != "ready":
            raise RuntimeError("the moderator process did not start")
        figures = load.run(work)
        output, _ = moderator.communicate(timeout=cfg.duration + 120)
        time.sleep(1.0)  # the last approval's page, for the watcher
        outcomes = _outcomes_since(outcomes)
    finally:
        watcher.stop.set()
        watcher.join(30)
        _delete(ids)
    renders = outcomes["render"] + outcomes["fallback"]
    approved = [json.loads(line) for line in output.splitlines() if line]
    # The n-th approval is in every answer whose count is at least this.
    delays = []
    for item in approved:
        shown = [at for count, at in watcher.seen.items() if count > before + item["n"]]
        if shown:
            delays.append(min(shown) - item["at"])
    unseen = len(approved) - len(delays)
    return {
        **figures,
        "baseline": baseline,
        "throughput_ratio": figures["rps"] / baseline["rps"] if baseline["rps"] else 0,
        "p99_ratio": figures["p99_us"] / baseline["p99_us"]
        if baseline["p99_us"]
        else None,
        "approvals": len(approved),
        "renders": renders,
        "renders_per_purge": renders / len(approved) if approved else None,
        "visible_max_s": max(delays) if delays else None,
        "visible_p95_s": _percentile(delays, 0.95),
        "unseen": unseen,
        "watcher_fetches": watcher.fetches,
        "miss_outcomes": outcomes,
    }


def moderate(ids: list[int]) -> None:
    """The moderator: approve ``ids`` in order, one every APPROVAL_EVERY
    seconds; print each approval's number and time as a JSON line."""
    import django

    django.setup()
    from django.contrib.auth import get_user_model

    from comments.models import Comment
    from comments.services import comment_approve

    actor, _ = get_user_model().objects.get_or_create(
        username="bench-moderator", defaults={"is_staff": True}
    )
    print("ready", flush=True)
    start = time.monotonic()
    for n, pk in enumerate(ids):
        pause = start + n * APPROVAL_EVERY - time.monotonic()
        if pause > 0:
            time.sleep(pause)
        comment_approve(comment=Comment(pk=pk), actor=actor)
        print(json.dumps({"n": n, "at": time.time()}), flush=True)


if __name__ == "__main__" and sys.argv[1:2] == ["moderate"]:
    moderate([int(pk) for pk in sys.argv[2:]])
