"""
CPU time of one page-cache hit through the whole WSGI stack, in-process.

``make bench`` measures throughput on loopback, which a busy machine blurs;
this measures the CPU one process spends answering a cached article page
(middleware, cache read, replay), which another load changes much less. Use it
to compare two checkouts of the code side by side:

    .venv/bin/python -m bench.hitpath [REQUESTS] [PATH]   # the default cache
    REDIS_URL=redis://127.0.0.1:6379/9 .venv/bin/python -m bench.hitpath

It builds the demo newsroom in a throwaway in-memory database (the test
settings), stores the reference report (or PATH, e.g. ``/api/v1/articles/``:
the content API's gate, rate limit and CORS included) in the page cache, then
replays it REQUESTS times (default 5,000), five rounds, and prints the minimum
and median CPU microseconds per request.
"""

import os
import statistics
import sys
import time


def main(requests: int, path: str = "") -> str:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
    os.environ.setdefault("DEBUG", "true")
    import django

    django.setup()
    from django.conf import settings
    from django.core.handlers.wsgi import WSGIHandler
    from django.core.management import call_command
    from django.test.client import RequestFactory
    from django.test.utils import setup_databases, setup_test_environment

    settings.ALLOWED_HOSTS = ["*"]
    settings.NEWSROOM_PAGE_CACHE = True
    settings.API_RATE_PER_MINUTE = 10**9  # one address asks every time
    setup_test_environment()
    setup_databases(verbosity=0, interactive=False)
    with open(os.devnull, "w") as quiet:
        call_command("seed_demo", verbosity=0, stdout=quiet)

    from articles.models import Article

    if not path:
        path = (
            Article.objects.published()
            .get(slug__startswith="uk-considers")
            .get_absolute_url()
        )
    path, _, query = path.partition("?")
    environ = RequestFactory()._base_environ(
        PATH_INFO=path, QUERY_STRING=query, REQUEST_METHOD="GET"
    )
    handler = WSGIHandler()
    answers: list[tuple[str, dict]] = []

    def start_response(status, headers, exc_info=None):
        answers.append((status, dict(headers)))

    for _ in range(2):  # a miss that stores the page, then a hit
        b"".join(handler(dict(environ), start_response))
    status, headers = answers[-1]
    if not status.startswith("200") or headers.get("X-Page-Cache") != "hit":
        raise SystemExit(f"no page-cache hit: {status} {headers.get('X-Page-Cache')}")
    rounds = []
    for _ in range(5):
        started = time.process_time()
        for _ in range(requests):
            for _chunk in handler(dict(environ), start_response):
                pass
        rounds.append((time.process_time() - started) / requests * 1e6)
    return (
        f"page-cache hit of {path}: min {min(rounds):.1f} µs, median "
        f"{statistics.median(rounds):.1f} µs of CPU per request "
        f"({requests:,} requests x 5, cache {settings.CACHES['default']['BACKEND']})"
    )


if __name__ == "__main__":
    print(
        main(
            int(sys.argv[1]) if len(sys.argv) > 1 else 5000,
            sys.argv[2] if len(sys.argv) > 2 else "",
        )
    )
