"""
CPU time of one comment post, in-process, on the bench data: what the
posting scenario's writers cost the server, without wrk, gunicorn or another
engineer's load in the figure. Each post goes through the whole WSGI stack
(Django's test client, the site's middleware) as the writers' posts do
(bench/wrk/post.lua): a new reader (email and address) each time, the CSRF
cookie and token fetched from the reader endpoint, the relaxed policy of the
bench (bench/posting.py), so every post is approved and counted. Run it after
``make bench`` has seeded the bench database, in two checkouts one after the
other to compare:

    .venv/bin/python -m bench.postcost [POSTS]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/newsroom \\
    REDIS_URL=redis://127.0.0.1:6379/9 BENCH_DB_NAME=newsroom_bench \\
    .venv/bin/python -m bench.postcost
    .venv/bin/python -m bench.postcost 500 --profile   # where the time goes

It writes its posts to the bench database's posting target, as the scenario
does, and uses a cache of its own (a key prefix on Redis, a temporary folder
otherwise). Each figure is the minimum and median over five rounds of POSTS
posts (default 300): CPU microseconds per post, and wall microseconds (which
include waiting for the database's disk).
"""

import cProfile
import itertools
import pstats
import secrets
import statistics
import sys
import time
from urllib.parse import urlencode

from bench.misses import ROUNDS, _setup


def _poster():
    """A function that makes one post and checks it was accepted."""
    import os

    os.environ["COMMENTS_PROXY_COUNT"] = "1"
    from django.conf import settings
    from django.test import Client

    from bench import posting, scenarios

    settings.NEWSROOM_COMMENTS_PROXY_COUNT = 1
    posting.relax_policy()
    target = scenarios.find_targets().post_target_id
    client = Client(HTTP_HOST="127.0.0.1")
    answer = client.get(f"/comments/{target}/reader/", HTTP_ACCEPT="application/json")
    token = answer.json()["csrfToken"]
    path = f"/comments/{target}/post/"
    run = secrets.token_hex(3)
    numbers = itertools.count(1)

    def post():
        n = next(numbers)
        who = f"{n}-{run}"
        # Form-encoded, as a browser and wrk send it (the test client's
        # default, multipart, costs the server more to parse).
        response = client.post(
            path,
            urlencode(
                {
                    "name": f"Reader {who}",
                    "email": f"w{who}@writers.bench.invalid",
                    "body": f"Comment {who} on the security pact, from the benchmark.",
                    "parent": "",
                    "website": "",
                    "js": "1",
                    "csrfmiddlewaretoken": token,
                }
            ),
            content_type="application/x-www-form-urlencoded",
            HTTP_ORIGIN="http://127.0.0.1",
            HTTP_SEC_FETCH_SITE="same-origin",
            HTTP_X_FORWARDED_FOR=f"127.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}",
        )
        # A fresh reader each time, as each wrk post is.
        client.cookies.pop("newsroom_reader", None)
        if response.status_code != 303:
            raise SystemExit(f"post {n}: {response.status_code}")

    return post


def main(posts: int, *, profile: bool = False) -> list[str]:
    _setup()
    post = _poster()
    for _ in range(20):  # connections, compiled queries, the policy's copy
        post()
    if profile:
        profiler = cProfile.Profile()
        profiler.runcall(lambda: [post() for _ in range(posts)])
        stats = pstats.Stats(profiler).sort_stats("cumulative")
        stats.print_stats(45)
        return []
    cpu, wall = [], []
    for _ in range(ROUNDS):
        started, clock = time.process_time(), time.perf_counter()
        for _ in range(posts):
            post()
        cpu.append((time.process_time() - started) / posts * 1e6)
        wall.append((time.perf_counter() - clock) / posts * 1e6)
    return [
        f"post, {name}: min {min(rounds):,.0f} µs, "
        f"median {statistics.median(rounds):,.0f} µs"
        for name, rounds in (("CPU", cpu), ("wall", wall))
    ]


if __name__ == "__main__":
    arguments = [a for a in sys.argv[1:] if not a.startswith("--")]
    print(
        "\n".join(
            main(
                int(arguments[0]) if arguments else 300,
                profile="--profile" in sys.argv,
            )
        )
    )
