"""
The figures of a run: the table printed at the end, bench/results.json, and
this setup's section of bench/RESULTS.md (other setups' sections are kept).
"""

import json
import os
import platform
import re
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
RESULTS_JSON = BENCH_DIR / "results.json"
RESULTS_MD = BENCH_DIR / "RESULTS.md"

# Issue 6's targets, as ratios to the static file measured in the same run.
CACHED_RATIO = 0.85
MAX_API_LIST_QUERIES = 4
UNCACHED_RATIO = 0.12
MAX_ARTICLE_QUERIES = 5
POSTS_PER_SECOND = 500
# Issue 16: the uncached article against the Wagtail peer (bench/peer/).
PEER_RATIO = 1.5
# Issue 16's stampede: the same run's load without approvals is the reference.
STAMPEDE_THROUGHPUT = 0.5
STAMPEDE_P99 = 5.0
STAMPEDE_RENDERS_PER_PURGE = 1.0  # one server
STAMPEDE_VISIBLE_SECONDS = 1.0


def ratio(value: float, reference: float) -> float | None:
    """``value`` as a share of ``reference`` (None when there is none)."""
    if not reference:
        return None
    return value / reference


def _number(value, digits: int = 0) -> str:
    if value is None:
        return "–"
    return f"{value:,.{digits}f}"


def rows(results: list[dict]) -> list[list[str]]:
    """One row per scenario: name, req/s, p50, p99, queries, × static, errors."""
    statics = {r["name"]: r["rps"] for r in results if r["name"].startswith("static")}
    table = []
    for result in results:
        # A row asked with gzip against the static file asked with gzip.
        gzipped = result["name"].endswith("-gzip")
        static = statics.get("static-gzip" if gzipped else "static")
        share = ratio(result["rps"], static)
        queries = result.get("queries")
        if result.get("variant") == "uncached" and "anon_miss" in result:
            queries = f"{queries} ({result['anon_miss']} anon)"
        rate = result["rps"]
        if result["name"] == "post":
            rate = result.get("accepted_per_s", 0.0)
            share = ratio(rate, static)
        table.append(
            [
                result["label"],
                _number(rate),
                _number(result["p50_us"] / 1000, 1),
                _number(result["p99_us"] / 1000, 1),
                "–" if queries is None else str(queries),
                "–" if share is None else f"{share:.2f}",
                _number(result.get("error_count", result["errors"])),
            ]
        )
    return table


HEADER = ["scenario", "req/s", "p50 ms", "p99 ms", "queries", "× static", "errors"]


def text_table(results: list[dict]) -> str:
    body = rows(results)
    widths = [max(len(row[i]) for row in [HEADER, *body]) for i in range(len(HEADER))]

    def line(row):
        cells = [row[0].ljust(widths[0])]
        cells += [
            cell.rjust(width) for cell, width in zip(row[1:], widths[1:], strict=True)
        ]
        return "  ".join(cells)

    return "\n".join([line(HEADER), line(["-" * w for w in widths]), *map(line, body)])


def markdown_table(results: list[dict]) -> str:
    lines = [
        "| " + " | ".join(HEADER) + " |",
        "| " + " | ".join(["---"] + ["---:"] * (len(HEADER) - 1)) + " |",
    ]
    lines += ["| " + " | ".join(row) + " |" for row in rows(results)]
    return "\n".join(lines)


def _by_name(results: list[dict]) -> dict:
    return {result["name"]: result for result in results}


def peer_ratio(results: list[dict]) -> float | None:
    """The project's uncached article over the Wagtail peer's, same run."""
    found = _by_name(results)
    if "article-uncached" not in found or "peer" not in found:
        return None
    return ratio(found["article-uncached"]["rps"], found["peer"]["rps"])


def headline(results: list[dict], peer: dict | None) -> str:
    """The run's headline figure, one line (issue 16)."""
    share = peer_ratio(results)
    if share is None:
        why = (peer or {}).get("error") or "BENCH_ONLY left it out"
        return f"Article uncached over the Wagtail peer: not measured ({why})."
    found = _by_name(results)
    return (
        f"Article uncached over the Wagtail peer: {share:.2f} × "
        f"({found['article-uncached']['rps']:,.0f} vs {found['peer']['rps']:,.0f}"
        f" req/s, {(peer or {}).get('version', 'Wagtail')}, same run)"
    )


def targets(
    results: list[dict],
    *,
    vendor: str,
    seed: dict | None,
    peer_error: str | None = None,
) -> list[dict]:
    """Issue 6's and 16's targets, each with what was measured and met / missed."""
    found = _by_name(results)
    static = found.get("static", {}).get("rps")
    checks = []

    def add(target: str, measured: str, met: bool | None):
        verdict = "n/a" if met is None else ("met" if met else "missed")
        checks.append({"target": target, "measured": measured, "verdict": verdict})

    def page_ratio(name: str, threshold: float, label: str):
        if name not in found or not static:
            return
        share = ratio(found[name]["rps"], static)
        add(
            f"{label} ≥ {threshold:.2f} × static",
            f"{share:.2f} × ({found[name]['rps']:,.0f} req/s)",
            share >= threshold,
        )

    page_ratio("article-cached", CACHED_RATIO, "Article page from cache")
    page_ratio("viral-cached", CACHED_RATIO, "Viral article page from cache")
    gzip_static = found.get("static-gzip", {}).get("rps")
    if "viral-cached-gzip" in found and gzip_static:
        share = ratio(found["viral-cached-gzip"]["rps"], gzip_static)
        add(
            f"Viral article page from cache, gzip ≥ {CACHED_RATIO:.2f} × static, gzip",
            f"{share:.2f} × ({found['viral-cached-gzip']['rps']:,.0f} req/s)",
            share >= CACHED_RATIO,
        )
    page_ratio("api-list-cached", CACHED_RATIO, "API article list from cache")
    page_ratio("api-article-cached", CACHED_RATIO, "API article from cache")
    page_ratio("article-uncached", UNCACHED_RATIO, "Article page uncached")
    share = peer_ratio(results)
    peer_target = f"Article uncached ≥ {PEER_RATIO:g} × Wagtail peer"
    if share is not None:
        add(
            peer_target,
            f"{share:.2f} × ({found['article-uncached']['rps']:,.0f} vs "
            f"{found['peer']['rps']:,.0f} req/s)",
            share >= PEER_RATIO,
        )
    elif peer_error:
        add(peer_target, f"peer not measured: {peer_error}", None)
    page_ratio("viral-uncached", UNCACHED_RATIO, "Viral article page uncached")
    if "article-uncached" in found and "viral-uncached" in found:
        normal = found["article-uncached"]["anon_miss"]
        viral = found["viral-uncached"]["anon_miss"]
        add(
            f"Article page uncached: ≤ {MAX_ARTICLE_QUERIES} queries, "
            "same with 2,000 comments",
            f"{normal} queries (viral: {viral})",
            max(normal, viral) <= MAX_ARTICLE_QUERIES and normal == viral,
        )
    for page in ("section", "tag", "author"):
        result = found.get(f"{page}-uncached")
        if result and "twin_miss" in result:
            add(
                f"{page.title()} page: constant queries (busiest vs quietest)",
                f"{result['anon_miss']} vs {result['twin_miss']}",
                result["anon_miss"] == result["twin_miss"],
            )
    result = found.get("api-list-uncached")
    if result and "twin_miss" in result:
        add(
            f"API list of 20 uncached: ≤ {MAX_API_LIST_QUERIES} queries, constant",
            f"{result['anon_miss']} vs {result['twin_miss']}",
            max(result["anon_miss"], result["twin_miss"]) <= MAX_API_LIST_QUERIES
            and result["anon_miss"] == result["twin_miss"],
        )
    for page in ("front", "rss"):
        result = found.get(f"{page}-uncached")
        if result:
            add(
                f"{'Front page' if page == 'front' else 'RSS feed'}: queries",
                f"{result['anon_miss']} (cache miss)",
                None,
            )
    checks.extend(stampede_targets(found.get("stampede")))
    post = found.get("post")
    if post:
        errors = post["error_count"]
        measured = f"{post['accepted_per_s']:,.0f} accepted/s, {errors:,} errors"
        if vendor == "sqlite":
            add(
                f"Comment posting ≥ {POSTS_PER_SECOND}/s, 8 writers, 0 errors (SQLite)",
                measured,
                post["accepted_per_s"] >= POSTS_PER_SECOND and errors == 0,
            )
        else:
            add("Comment posting measured (PostgreSQL)", measured, None)
    if seed:
        add(
            "Seeding streams in batches (bounded memory), progress bar",
            f"{seed['articles']:,} articles in {seed['seconds']:.0f} s, "
            f"peak RSS {seed['peak_rss_mib']:.0f} MiB",
            None,
        )
    return checks


def stampede_targets(result: dict | None) -> list[dict]:
    """Issue 16: 64 readers on the hot article, an approval every 100 ms,
    against the same load without approvals (bench/stampede.py)."""
    if not result:
        return []
    base = result["baseline"]

    def check(target: str, measured: str, met: bool) -> dict:
        return {
            "target": f"Stampede: {target}",
            "measured": measured,
            "verdict": "met" if met else "missed",
        }

    throughput, p99 = result["throughput_ratio"], result["p99_ratio"] or 0.0
    per_purge = result["renders_per_purge"]
    latest, p95 = result["visible_max_s"], result["visible_p95_s"]
    return [
        check(
            f"throughput ≥ {STAMPEDE_THROUGHPUT} × without approvals",
            f"{throughput:.2f} × ({result['rps']:,.0f} vs {base['rps']:,.0f} req/s)",
            throughput >= STAMPEDE_THROUGHPUT,
        ),
        check(
            f"p99 ≤ {STAMPEDE_P99:.0f} × without approvals",
            f"{p99:.2f} × ({result['p99_us'] / 1000:,.1f} vs "
            f"{base['p99_us'] / 1000:,.1f} ms)",
            0 < p99 <= STAMPEDE_P99,
        ),
        check(
            f"≤ {STAMPEDE_RENDERS_PER_PURGE:.0f} render per purge (one server)",
            f"{_number(per_purge, 2)} ({result['renders']} renders, "
            f"{result['approvals']} approvals)",
            per_purge is not None and per_purge <= STAMPEDE_RENDERS_PER_PURGE,
        ),
        check(
            f"every approval seen within {STAMPEDE_VISIBLE_SECONDS:.0f} s",
            f"max {_number(latest, 2)} s, p95 {_number(p95, 2)} s, "
            f"{result['unseen']} never seen",
            latest is not None
            and latest <= STAMPEDE_VISIBLE_SECONDS
            and result["unseen"] == 0,
        ),
    ]


def machine(database: str) -> dict:
    import django

    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    return {
        "cpus": len(os.sched_getaffinity(0)),
        "cpu_model": model,
        "memory": memory,
        "python": platform.python_version(),
        "django": django.get_version(),
        "database": database,
        "kernel": platform.release(),
        "load_average": _load_average(),
    }


def _load_average() -> str:
    """The 1-minute load average: other work on the machine skews figures."""
    try:
        return Path("/proc/loadavg").read_text().split()[0]
    except OSError:
        return ""


def write_json(run: dict) -> None:
    RESULTS_JSON.write_text(json.dumps(run, indent=2, ensure_ascii=False) + "\n")


INTRO = """\
# Benchmark results

Written by `make bench` (see docs/benchmark.md and bench/config.py for
the knobs). Each section below is the latest run on that setup; a run
rewrites only its own section. Load is wrk on loopback against gunicorn
(sync workers) with whitenoise serving the collected static files, DEBUG
off. Ratios are to the static file measured in the same run, the physical
limit of the stack; the minimal view is the framework floor.

- **cached**: an anonymous reader without cookies (what a CDN or the page
  cache answers); **uncached**: by default an anonymous reader of a second
  server of the site with the page cache off (issue 16: "page cache off,
  anonymous"), plus one row for the article with a logged-in staff session
  (issue 6: "logged-in staff always see live pages");
  `BENCH_UNCACHED=staff` sends that session on every uncached row instead.
  Change it in `bench/config.py`.
- **Wagtail peer**: the same article (headline, dek, byline, body) on a plain
  Wagtail site served by gunicorn and whitenoise with the same workers and no
  cache (bench/peer/README.md); the headline of each section is the
  project's uncached article over the peer's, measured in the same run.
- **queries**: counted by running the same request once through Django's test
  client against the same database, with an empty cache of its own; for
  uncached rows, "(N anon)" is an anonymous reader's cache miss, which is what
  the query targets are about (the staff session adds the session and user
  rows).
- **comment posting**: 8 writers, each a browser that fetched its CSRF token
  from the reader endpoint as the page's script does, post through the real
  endpoint; each post is a new reader (email and X-Forwarded-For address,
  with `COMMENTS_PROXY_COUNT=1`), so the rate limits stay as configured. The
  bench database trusts first-time commenters and emails no moderator, so
  every post is approved. "req/s" is accepted posts per second; "errors" is
  every answer other than the 303 of an accepted post.
"""


def section(run: dict) -> str:
    m, c = run["machine"], run["config"]
    seed = run.get("seed")
    lines = [
        f"## {run['setup']}",
        "",
        f"Run {run['date']}: {m['cpus']} CPUs ({m['cpu_model']}), {m['memory']}, "
        f"Python {m['python']}, Django {m['django']}, {m['database']}; "
        f"load average {m['load_average']} before, {run['load_after']} after.",
        f"{c['workers']} gunicorn workers; wrk -t{c['threads']} "
        f"-c{c['connections']}, {c['duration']} s per scenario after "
        f"{c['warmup']} s of warm-up; {c['writers']} comment writers.",
        f"Data: {run['data']['articles']:,} articles, {run['data']['comments']:,} "
        f"comments ({run['data']['hot_comments']:,} under the viral article).",
    ]
    if seed:
        lines.append(
            (
                "Seeding (by an earlier run; this one reused the data)"
                if seed.get("reused")
                else "Seeding"
            )
            + f": {seed['seconds']:.0f} s, peak RSS "
            f"{seed['peak_rss_mib']:.0f} MiB (batches of "
            f"{seed.get('batch_size', 1000):,} articles)."
        )
    else:
        lines.append("Seeding: reused the bench database of an earlier run.")
    rss = run["rss"]
    peer = run.get("peer") or {}
    lines[1:1] = ["", f"**{headline(run['results'], peer)}**"]
    if peer.get("version"):
        lines.append(
            f"Peer: {peer['version']} (bench/peer/), {c['workers']} gunicorn "
            f"workers, no cache; its article costs {peer['queries']} queries."
        )
    lines += [
        "",
        markdown_table(run["results"]),
        "",
        "Peak RSS (VmHWM) per gunicorn worker: "
        + ", ".join(f"{value:.0f} MiB" for value in rss["workers_mib"])
        + (f"; master {rss['master_mib']:.0f} MiB." if rss.get("master_mib") else "."),
        "",
        "### Targets (issues 6 and 16)",
        "",
        "| target | measured | verdict |",
        "| --- | --- | --- |",
    ]
    lines += [
        f"| {check['target']} | {check['measured']} | {check['verdict']} |"
        for check in run["targets"]
    ]
    profile = run.get("profile")
    if profile:
        lines += [
            "",
            f"### Where time goes: `{profile['path']}`, cache miss",
            "",
            f"{profile['requests']} requests through the test client with an empty "
            f"cache: {profile['ms_per_request']} ms a request, "
            f"{profile['sql_share']:.0%} of it in SQL (as Django times it). "
            f"Shares below are from cProfile ({profile['profiled_ms_per_request']} "
            "ms a request with its overhead).",
            "",
            "| area | share of time |",
            "| --- | ---: |",
        ]
        lines += [f"| {a['area']} | {a['share']:.0%} |" for a in profile["areas"]]
        lines += [
            "",
            "| function (own time) | calls/request | ms/request | share |",
            "| --- | ---: | ---: | ---: |",
        ]
        lines += [
            f"| `{f['function']}` | {f['calls']} | {f['ms_per_request']} "
            f"| {f['share']:.0%} |"
            for f in profile["top_self"]
        ]
        lines += [
            "",
            "| project function (cumulative) | ms/request | share |",
            "| --- | ---: | ---: |",
        ]
        lines += [
            f"| `{f['function']}` | {f['ms_per_request']} | {f['share']:.0%} |"
            for f in profile["top_cumulative_project"]
        ]
    if run.get("notes"):
        lines += ["", *[f"- {note}" for note in run["notes"]]]
    return "\n".join(lines) + "\n"


_BLOCK = re.compile(
    r"<!-- bench:(?P<key>[\w-]+) -->\n(?P<body>.*?)<!-- /bench:(?P=key) -->\n", re.S
)


def update_markdown(run: dict, path: Path = RESULTS_MD) -> None:
    """Rewrite ``path``: the intro, this setup's section, the others as they were."""
    blocks = {}
    if path.exists():
        blocks = {m["key"]: m["body"] for m in _BLOCK.finditer(path.read_text())}
    blocks[run["key"]] = section(run)
    order = ["sqlite", "postgresql-redis"]
    keys = [k for k in order if k in blocks] + sorted(
        k for k in blocks if k not in order
    )
    text = INTRO + "".join(
        f"\n<!-- bench:{key} -->\n{blocks[key]}<!-- /bench:{key} -->\n" for key in keys
    )
    path.write_text(text)
