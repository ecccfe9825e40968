"""
What a run measures and how hard, from environment variables (all optional).

| variable | default | meaning |
| --- | --- | --- |
| BENCH_DURATION | 10 | seconds of load per scenario |
| BENCH_WARMUP | 2 | seconds of unmeasured load before each scenario |
| BENCH_THREADS, BENCH_CONNECTIONS | 2, 16 | wrk's -t and -c for page scenarios |
| BENCH_WRITERS | 8 | concurrent comment writers |
| BENCH_WORKERS | 2 | gunicorn workers |
| BENCH_ARTICLES | 20000 | articles to seed |
| BENCH_COMMENTS_PER_ARTICLE | 3 | approved comments under each published article |
| BENCH_HOT_COMMENTS | 2000 | approved comments under the viral article |
| BENCH_RESEED | 0 | 1: seed afresh even if the bench database matches |
| BENCH_UNCACHED | anonymous | how "uncached" requests bypass the page cache (below) |
| BENCH_DB_NAME | newsroom_bench | the PostgreSQL database the bench owns |
| BENCH_ONLY | (all) | comma-separated scenario names, for a quick look |
| BENCH_STAMPEDE_PAGE | viral | the stampede's hot page: viral or article |
"""

import os
from dataclasses import dataclass

# How an "uncached" request asks for a live page: the one place to change it.
#
# "anonymous" (default): an anonymous reader without cookies, served by a
#   second gunicorn of the site started with the page cache off
#   (PAGE_CACHE=false): issue 16's "page cache off, anonymous", what a reader
#   costs on a miss, and what the Wagtail peer (no cache) is compared with.
#   The report adds one staff row ("article-staff") beside it.
# "staff": the request carries the session cookie of a logged-in
#   staff user. Issue 6 says "logged-in staff always see live pages", so any
#   page cache must let it through, whatever else it normalises (query
#   strings, Cache-Control from clients). It costs what a staff view costs:
#   the session and user rows (2 queries) on top of an anonymous miss; the
#   report also gives the anonymous cold-cache count for the targets.
# "no-cache": an anonymous request with "Cache-Control: no-cache" and
#   "Pragma: no-cache", for a cache in front that honours them (the site's
#   own page cache does not: anyone could empty it so).
UNCACHED_MODES = ("anonymous", "staff", "no-cache")
NO_CACHE_HEADERS = {"Cache-Control": "no-cache", "Pragma": "no-cache"}


def _int(name: str, default: int, low: int = 1) -> int:
    raw = os.environ.get(name, "")
    try:
        value = int(raw) if raw.strip() else default
    except ValueError:
        raise SystemExit(f"{name} must be a whole number, not {raw!r}.") from None
    if value < low:
        raise SystemExit(f"{name} must be at least {low}.")
    return value


@dataclass(frozen=True)
class Config:
    duration: int = 10
    warmup: int = 2
    threads: int = 2
    connections: int = 16
    writers: int = 8
    workers: int = 2
    articles: int = 20_000
    comments_per_article: int = 3
    hot_comments: int = 2_000
    reseed: bool = False
    uncached: str = "anonymous"
    db_name: str = "newsroom_bench"
    only: tuple[str, ...] = ()


def from_env() -> Config:
    uncached = os.environ.get("BENCH_UNCACHED", "").strip() or "anonymous"
    if uncached not in UNCACHED_MODES:
        raise SystemExit(f"BENCH_UNCACHED must be one of {', '.join(UNCACHED_MODES)}.")
    db_name = os.environ.get("BENCH_DB_NAME", "newsroom_bench").strip()
    if not db_name.replace("_", "").isalnum() or "bench" not in db_name:
        raise SystemExit("BENCH_DB_NAME must be a plain name containing 'bench'.")
    return Config(
        duration=min(_int("BENCH_DURATION", 10), 300),
        warmup=min(_int("BENCH_WARMUP", 2, low=0), 60),
        threads=_int("BENCH_THREADS", 2),
        connections=_int("BENCH_CONNECTIONS", 16),
        writers=min(_int("BENCH_WRITERS", 8), 64),
        workers=_int("BENCH_WORKERS", 2),
        articles=_int("BENCH_ARTICLES", 20_000, low=3),
        comments_per_article=_int("BENCH_COMMENTS_PER_ARTICLE", 3, low=0),
        hot_comments=_int("BENCH_HOT_COMMENTS", 2_000, low=0),
        reseed=os.environ.get("BENCH_RESEED", "") in {"1", "true", "yes"},
        uncached=uncached,
        db_name=db_name,
        only=tuple(
            name.strip()
            for name in os.environ.get("BENCH_ONLY", "").split(",")
            if name.strip()
        ),
    )
