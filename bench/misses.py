"""
CPU time of what a busy page costs besides its hits, in-process, on the bench
data: the hot article's hit, its stale answer while another request renders
it, its render after an approval, and the article pages (ordinary and viral)
and list pages rendered with the page cache off (issue 16; for the article
pages, also the PostgreSQL server's CPU for them when it runs on this
machine, ``server_seconds``). A loaded machine blurs ``wrk``'s figures; the CPU one
process spends on an answer moves much less. Run it after ``make bench`` has
seeded the bench database, in two checkouts one after the other to compare:

    .venv/bin/python -m bench.misses [REQUESTS]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/newsroom \\
    REDIS_URL=redis://127.0.0.1:6379/9 BENCH_DB_NAME=newsroom_bench \\
    .venv/bin/python -m bench.misses

It reads the bench database (``bench.database.select``) and uses a cache of
its own: a key prefix on Redis, a temporary folder otherwise. Each figure is
the minimum and median over five rounds of REQUESTS requests (default 300;
30 for renders), in CPU microseconds per request.
"""

import os
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROUNDS = 5


def summary(name: str, rounds: list[float]) -> str:
    """One line: the minimum and median of ``rounds`` (µs per request)."""
    return (
        f"{name}: min {min(rounds):,.0f} µs, median {statistics.median(rounds):,.0f} µs"
    )


def per_request(function, requests: int, rounds: int = ROUNDS) -> list[float]:
    """CPU microseconds per call of ``function``, for each of ``rounds``."""
    found = []
    for _ in range(rounds):
        started = time.process_time()
        for _ in range(requests):
            function()
        found.append((time.process_time() - started) / requests * 1e6)
    return found


def server_seconds() -> float | None:
    """CPU seconds the PostgreSQL server has spent for this process's
    connection (its backend process, read from /proc), or None (SQLite, or a
    server on another machine). Work the database does for a page is CPU the
    same two cores lack, so it is counted beside the process's own."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    connection.ensure_connection()
    try:
        with open(f"/proc/{connection.connection.get_backend_pid()}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def with_server(function, requests: int) -> tuple[list[float], list[float]]:
    """``per_request``'s rounds, and the database server's CPU microseconds
    per request in the same rounds where it can be read (``server_seconds``;
    /proc counts in hundredths of a second, so give it a few hundred)."""
    client, server = [], []
    for _ in range(ROUNDS):
        before = server_seconds()
        client.extend(per_request(function, requests, rounds=1))
        after = server_seconds()
        if before is not None and after is not None:
            server.append((after - before) / requests * 1e6)
    return client, server


def _setup() -> None:
    from bench import database
    from bench.config import from_env

    db = database.select(from_env().db_name)
    os.environ.update(
        DJANGO_SETTINGS_MODULE="bench.settings",
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="false",
        LOG_LEVEL="ERROR",
        DATABASE_URL=db.url,
        STATIC_ROOT=tempfile.mkdtemp(prefix="bench-misses-static-"),
        CACHE_KEY_PREFIX=f"bench-misses-{secrets.token_hex(4)}",
    )
    if not db.redis_url:
        os.environ["CACHE_DIR"] = str(Path(os.environ["STATIC_ROOT"]) / "cache")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)


def main(requests: int) -> list[str]:
    _setup()
    from django.conf import settings
    from django.core.cache import cache
    from django.test import Client, RequestFactory
    from django.urls import resolve

    from articles import cache as article_cache
    from articles.models import Article
    from bench import scenarios
    from caching import coalesce, pages, purges

    settings.NEWSROOM_PAGE_CACHE_STATS = False  # what a production server does
    targets = scenarios.find_targets()
    client = Client(HTTP_HOST="127.0.0.1")
    hot = targets.viral
    article = Article.objects.get(slug=resolve(hot).kwargs["slug"])
    key = pages._request_key(RequestFactory().get(hot, HTTP_HOST="127.0.0.1"))
    lines = []

    def get(path, expect):
        def answer():
            response = client.get(path)
            if response.get("X-Page-Cache") != expect:
                raise SystemExit(
                    f"{path}: {response.get('X-Page-Cache')}, not {expect}"
                )

        return answer

    def approve():
        purges.purge_now(article_cache.comments_tag(article.pk), soft=True)

    client.get(hot)
    lines.append(summary("viral article, hit", per_request(get(hot, "hit"), requests)))
    approve()
    render = get(hot, "miss")
    lines.append(
        summary(
            "viral article, render after an approval",
            per_request(lambda: (approve(), render()), max(1, requests // 10)),
        )
    )
    approve()
    # Another request renders: the copy is retired, as its renderer does.
    entry = coalesce._entry(cache.get(key))
    if hasattr(entry, "retired"):  # not in checkouts from before it
        cache.set(key, entry.retired(), 600)
    cache.add(coalesce.LOCK_PREFIX + key, "another request", 600)
    lines.append(
        summary("viral article, stale", per_request(get(hot, "stale"), requests))
    )
    cache.delete(coalesce.LOCK_PREFIX + key)

    settings.NEWSROOM_PAGE_CACHE = False
    for name in ("article", "viral"):
        path = targets.pages[name][1]
        client.get(path)  # its fragments, as a busy server has them
        rounds, server = with_server(get(path, None), requests)
        line = summary(f"{name} page, page cache off", rounds)
        if server:
            line += "; " + summary("its database server", server)
        lines.append(line)
    for name in ("front", "section", "tag", "author"):
        path = targets.pages[name][1]
        client.get(path)  # its fragments and cards, as a busy server has them
        rounds = per_request(get(path, None), max(1, requests // 10))
        lines.append(summary(f"{name} page, page cache off", rounds))
    return lines


if __name__ == "__main__":
    print("\n".join(main(int(sys.argv[1]) if len(sys.argv) > 1 else 300)))
