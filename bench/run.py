"""
``python -m bench`` (``make bench``): one whole run, start to finish.

1. Pick the bench's own database (bench/database.py), migrate it, and seed
   it with ``seed_bench`` unless it already holds exactly the requested data.
2. Collect static files into a temporary STATIC_ROOT (whitenoise serves them).
3. In this process: a staff session, the relaxed posting policy, the pages to
   measure, their query counts and a profile of the uncached article page;
   the Wagtail peer set up with the same article (bench/wagtail_peer.py).
4. Start gunicorn (the site; the site with its page cache off, for anonymous
   uncached requests; the peer's own), wait until they answer, run each
   scenario with wrk, read the workers' peak memory, stop every gunicorn
   (always, also on Ctrl-C).
5. Print the headline (article uncached over the peer) and the table, write
   bench/results.json and this setup's RESULTS.md.
"""

import datetime
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import config as bench_config
from bench import database, load, report, wagtail_peer
from bench.server import Gunicorn, free_port

BENCH_DIR = Path(__file__).resolve().parent
PROJECT = BENCH_DIR.parent
SEED_BATCH = 1_000


def say(message: str) -> None:
    print(f"[bench] {message}", flush=True)


def manage(*args: str, env: dict, timeout: int = 3600) -> None:
    subprocess.run(
        [sys.executable, str(PROJECT / "manage.py"), *args],
        env=env,
        cwd=PROJECT,
        check=True,
        timeout=timeout,
    )


def _terminate(signum, frame):  # SIGTERM/SIGHUP: unwind like Ctrl-C
    raise KeyboardInterrupt


def main() -> int:
    signal.signal(signal.SIGTERM, _terminate)
    signal.signal(signal.SIGHUP, _terminate)
    cfg = bench_config.from_env()
    load.wrk_path()
    db = database.select(cfg.db_name)
    port = free_port()
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="newsroom-bench-") as tmp:
        tmp = Path(tmp)
        env = database.environment(db, static_root=tmp / "static", port=port)
        child_env = {**os.environ, **env}
        os.environ.update(env)
        servers = {
            "site": Gunicorn(
                port=port,
                workers=cfg.workers,
                env=child_env,
                log_path=tmp / "gunicorn.log",
            )
        }
        if cfg.uncached == "anonymous":
            # The same site with the page cache off, for anonymous uncached
            # requests (bench/config.py); same database, same shared cache.
            servers["live"] = Gunicorn(
                port=free_port(),
                workers=cfg.workers,
                env={**child_env, "PAGE_CACHE": "false"},
                log_path=tmp / "gunicorn-live.log",
            )
        try:
            return _run(cfg, db, servers, child_env, started, tmp)
        except KeyboardInterrupt:
            say("interrupted; stopping gunicorn")
            return 130
        finally:
            for server in servers.values():
                server.stop()


def _prepare_database(cfg, db, env) -> dict | None:
    """Migrate and, when needed, seed; returns the seeding figures (of this
    run, or of the run that seeded the data it reuses, marked "reused")."""
    database.ensure_exists(db)
    say(f"database: {db.label} ({db.name})")
    manage("migrate", "--noinput", "-v0", env=env, timeout=600)

    import django

    django.setup()
    from django.db import connections

    from bench.seed import existing_counts, still_open
    from core.seeding.bench import Plan

    wanted = Plan(cfg.articles, cfg.comments_per_article, cfg.hot_comments).expected()
    have = existing_counts()
    # Kept beside the harness (git-ignored) for runs that reuse the data.
    stats_path = BENCH_DIR / f".seed-{db.vendor}.json"
    if have == wanted and still_open() and not cfg.reseed:
        say(f"reusing the seeded data: {have['articles']:,} articles")
        if not stats_path.exists():
            return None
        return {**json.loads(stats_path.read_text()), "reused": True}
    connections.close_all()
    say(f"seeding {cfg.articles:,} articles afresh (had {have['articles']:,})")
    database.recreate(db)
    manage("migrate", "--noinput", "-v0", env=env, timeout=600)
    stats_path.unlink(missing_ok=True)
    manage(
        "seed_bench",
        f"--articles={cfg.articles}",
        f"--comments-per-article={cfg.comments_per_article}",
        f"--hot-comments={cfg.hot_comments}",
        f"--batch-size={SEED_BATCH}",
        f"--stats={stats_path}",
        env=env,
    )
    return json.loads(stats_path.read_text())


def _start_peer(cfg, servers: dict, tmp: Path) -> tuple[dict, str | None]:
    """Set up the Wagtail peer (bench/wagtail_peer.py); its description for
    the report and its article's address, or why it is not measured (said
    loudly: the run goes on without it)."""
    say("setting up the Wagtail peer (bench/peer/)")
    try:
        peer = wagtail_peer.prepare(
            text=wagtail_peer.article_text(),
            workers=cfg.workers,
            port=free_port(),
            tmp=tmp,
        )
    except wagtail_peer.PeerError as error:
        print(wagtail_peer.loudly(str(error)), file=sys.stderr, flush=True)
        return {"error": str(error)}, None
    servers["peer"] = peer.server
    info = {"version": peer.version, "path": peer.path, "queries": peer.queries}
    return info, peer.path


def _run(cfg, db, servers: dict, env: dict, started: float, tmp: Path) -> int:
    server = servers["site"]
    seed = _prepare_database(cfg, db, env)

    say("collecting static files")
    manage("collectstatic", "--noinput", "-v0", env=env, timeout=600)

    from bench import measure, posting, scenarios, stampede
    from bench.seed import existing_counts

    cookie = scenarios.staff_cookie()
    policy = posting.relax_policy()
    targets = scenarios.find_targets()
    peer, peer_path = {}, None
    if not cfg.only or "peer" in cfg.only:
        peer, peer_path = _start_peer(cfg, servers, tmp)
    plan = scenarios.build(
        targets,
        uncached_mode=cfg.uncached,
        cookie=cookie,
        hot=cfg.hot_comments,
        peer_path=peer_path,
    )
    if cfg.only:
        plan = [s for s in plan if s.name in cfg.only or s.kind in {"static"}]

    say("counting queries through the test client")
    queries = {
        s.name: (
            {"queries": peer["queries"], "status": 200}
            if s.kind == "peer"
            else measure.page_queries(s)
        )
        for s in plan
    }
    bad = {name: q["status"] for name, q in queries.items() if q["status"] >= 400}
    if bad:
        raise SystemExit(f"Some scenarios do not answer successfully: {bad}")
    say("profiling the uncached article page")
    profile = measure.profile(targets.article)
    data = existing_counts()

    version = database.server_version() + (
        f" + {database.redis_version(db.redis_url)}" if db.redis_url else ""
    )
    machine_before = report.machine(version)
    used = {scenario.server for scenario in plan}
    for name, each in servers.items():
        if name in used:
            say(f"starting gunicorn ({cfg.workers} workers, {name}) on {each.base_url}")
            each.start()
    for name, each in servers.items():
        if name in used:
            each.wait_ready(peer_path if name == "peer" else "/bench/")
    results = []
    for scenario in plan:
        say(f"{scenario.name}: {scenario.path}")
        target = servers[scenario.server]
        if scenario.kind == "stampede":
            figures = stampede.measure(
                base_url=target.base_url, path=scenario.path, cfg=cfg, env=env
            )
            results.append({**vars(scenario), **figures, **queries[scenario.name]})
            target.wait_ready("/bench/", timeout=180)
            continue
        if scenario.kind == "post":
            work = posting.load(
                base_url=server.base_url,
                post_path=scenario.path,
                reader_path=f"/comments/{targets.post_target_id}/reader/",
                writers=cfg.writers,
                duration=cfg.duration,
            )
        else:
            work = load.Load(
                url=target.base_url + scenario.path,
                duration=cfg.duration,
                threads=cfg.threads,
                connections=cfg.connections,
                headers=scenario.headers,
            )
        if cfg.warmup and scenario.kind != "post":
            load.run(load.Load(**{**work.__dict__, "duration": cfg.warmup}))
        figures = load.run(work)
        # Requests still queued behind wrk's connections finish first.
        target.wait_ready(
            peer_path if scenario.server == "peer" else "/bench/", timeout=180
        )
        result = {
            "name": scenario.name,
            "label": scenario.label,
            "path": scenario.path,
            "kind": scenario.kind,
            "variant": scenario.variant,
            **figures,
            **queries[scenario.name],
        }
        if scenario.kind == "post":
            seconds = figures["duration_us"] / 1e6
            result["accepted_per_s"] = figures["accepted"] / seconds
            result["error_count"] = (
                figures["requests"]
                - figures["accepted"]
                + (figures["errors"] - figures["status_errors"])
            )
        results.append(result)
    rss = server.peak_rss()
    for name, each in servers.items():
        if each.process is not None and each.process.poll() is not None:
            raise RuntimeError(
                f"gunicorn ({name}) died during the run:\n{each.log_tail()}"
            )
        each.stop()

    run = {
        "setup": db.label,
        "key": db.key,
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine_before,
        "load_after": report.machine(version)["load_average"],
        "config": {
            **cfg.__dict__,
            "only": list(cfg.only),
        },
        "data": data,
        "seed": seed,
        "policy": policy,
        "results": results,
        "rss": rss,
        "profile": profile,
        "peer": peer,
        "seconds": round(time.monotonic() - started),
    }
    run["targets"] = report.targets(
        results, vendor=db.vendor, seed=seed, peer_error=peer.get("error")
    )
    print()
    print(report.headline(results, peer))
    print()
    print(report.text_table(results))
    print()
    for check in run["targets"]:
        print(f"  {check['verdict']:>6}  {check['target']}: {check['measured']}")
    workers = ", ".join(f"{v:.0f} MiB" for v in rss["workers_mib"])
    print(f"\n  peak RSS per worker: {workers}")
    report.write_json(run)
    if not cfg.only:
        report.update_markdown(run)
        say(f"wrote {report.RESULTS_JSON.name} and {report.RESULTS_MD.name}")
    else:
        say(f"wrote {report.RESULTS_JSON.name} (partial run: RESULTS.md untouched)")
    if peer.get("error"):
        print(wagtail_peer.loudly(peer["error"]), file=sys.stderr, flush=True)
    say(f"done in {run['seconds']} s")
    return 0
