"""
Queries per request and a profile, measured in this process through Django's
test client against the bench database (never inside the server under load).

Each measurement gets an empty local-memory cache of its own, so it neither
reads nor disturbs the server's cache (Redis or not): a "miss" is a cold
cache, a "hit" is the second request after it.
"""

import cProfile
import functools
import io
import itertools
import pstats
import re
import secrets
import time
from contextlib import contextmanager
from pathlib import Path

_caches = itertools.count()
PROJECT = Path(__file__).resolve().parent.parent


@contextmanager
def fresh_cache(backend: str = "django.core.cache.backends.locmem.LocMemCache"):
    from django.test.utils import override_settings

    location = f"bench-measure-{next(_caches)}"
    with override_settings(
        CACHES={"default": {"BACKEND": backend, "LOCATION": location}}
    ):
        yield


@functools.cache
def _shared_client():
    from django.test import Client

    # One client, so its middleware loads once (whitenoise scans the static
    # files then, as a server worker does at start).
    return Client(HTTP_HOST="127.0.0.1")


def cookieless_client():
    """The shared client with no cookies from earlier requests, like wrk."""
    from http.cookies import SimpleCookie

    client = _shared_client()
    client.cookies = SimpleCookie()
    return client


def count(path: str, headers: dict | None = None, *, method="get", data=None):
    """(queries, status) of one request."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = cookieless_client()
    with CaptureQueriesContext(connection) as captured:
        if method == "post":
            response = client.post(path, data, headers=headers or {})
        else:
            response = client.get(path, headers=headers or {})
    return len(captured), response.status_code


def page_queries(scenario) -> dict:
    """The query counts that matter for one scenario."""
    result = {}
    if scenario.kind in {"static", "floor"}:
        with fresh_cache():
            result["queries"], result["status"] = count(scenario.path)
        return result
    if scenario.kind == "post":
        return post_queries(scenario.path)
    with fresh_cache():
        miss, status = count(scenario.path)
        hit, _status = count(scenario.path)
    result.update(anon_miss=miss, anon_hit=hit, status=status)
    if scenario.variant == "cached":
        result["queries"] = hit
    else:
        with fresh_cache():
            result["queries"], result["status"] = count(scenario.path, scenario.headers)
    if scenario.twin:
        with fresh_cache():
            result["twin_miss"], _status = count(scenario.twin)
    return result


def post_queries(path: str) -> dict:
    n = secrets.token_hex(4)
    data = {
        "name": f"Reader {n}",
        "email": f"q{n}@writers.bench.invalid",
        "body": f"Counting queries, comment {n}.",
        "parent": "",
        "website": "",
        "js": "1",
    }
    headers = {"Sec-Fetch-Site": "same-origin", "X-Forwarded-For": "127.255.0.1"}
    with fresh_cache():
        queries, status = count(path, headers, method="post", data=data)
    return {"queries": queries, "status": status}


def _area(filename: str) -> str:
    if filename.startswith("~") or filename.startswith("<"):
        return "Python built-ins (incl. database driver calls)"
    if "/django/template/" in filename or "/django/templatetags/" in filename:
        return "Django templates"
    if "/django/db/" in filename:
        return "Django ORM"
    if "/django/" in filename:
        return "Django (other)"
    if "/site-packages/" in filename:
        return filename.split("/site-packages/", 1)[1].split("/", 1)[0]
    if filename.startswith(str(PROJECT)):
        return "newsroom: " + filename[len(str(PROJECT)) + 1 :].split("/", 1)[0]
    return "Python standard library"


def profile(path: str, requests: int = 30) -> dict:
    """cProfile of ``requests`` cache misses of ``path`` (after one warm-up)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    dummy = "django.core.cache.backends.dummy.DummyCache"
    with fresh_cache(dummy):
        count(path)  # imports, template loading
        # Without the profiler first: the real time, and how much is SQL.
        client = cookieless_client()
        begin = time.perf_counter()
        with CaptureQueriesContext(connection) as captured:
            for _request in range(requests):
                client.get(path)
        wall = (time.perf_counter() - begin) / requests
        sql = sum(float(query["time"]) for query in captured.captured_queries)
        profiler = cProfile.Profile()
        profiler.enable()
        for _request in range(requests):
            count(path)
        profiler.disable()
    stats = pstats.Stats(profiler, stream=io.StringIO())
    total = sum(row[2] for row in stats.stats.values()) or 1.0
    areas: dict[str, float] = {}
    for (filename, _line, _name), row in stats.stats.items():
        areas[_area(filename)] = areas.get(_area(filename), 0.0) + row[2]

    def where(key) -> str:
        filename, line, name = key
        if filename == "~":
            return re.sub(r" at 0x[0-9a-f]+", "", name)
        short = filename.split("/site-packages/", 1)[-1].replace(str(PROJECT) + "/", "")
        return f"{short}:{line} {name}"

    by_self = sorted(stats.stats.items(), key=lambda item: item[1][2], reverse=True)
    harness = (str(PROJECT / ".venv"), str(PROJECT / "bench"))
    by_cumulative = sorted(
        (
            item
            for item in stats.stats.items()
            if item[0][0].startswith(str(PROJECT))
            and not item[0][0].startswith(harness)
        ),
        key=lambda item: item[1][3],
        reverse=True,
    )
    return {
        "path": path,
        "requests": requests,
        "ms_per_request": round(1000 * wall, 2),
        "sql_share": round(sql / requests / wall, 3) if wall else None,
        "profiled_ms_per_request": round(1000 * total / requests, 2),
        "areas": [
            {"area": area, "share": round(seconds / total, 3)}
            for area, seconds in sorted(areas.items(), key=lambda kv: -kv[1])
        ][:10],
        "top_self": [
            {
                "function": where(key),
                "calls": row[1] // requests,
                "ms_per_request": round(1000 * row[2] / requests, 3),
                "share": round(row[2] / total, 3),
            }
            for key, row in by_self[:12]
        ],
        "top_cumulative_project": [
            {
                "function": where(key),
                "ms_per_request": round(1000 * row[3] / requests, 3),
                "share": round(row[3] / total, 3),
            }
            for key, row in by_cumulative[:10]
        ],
    }
