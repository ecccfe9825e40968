"""
``make bench-import``: how fast ``import_wordpress`` brings in a synthetic
export (``bench/wxr.py``), and how much memory it takes, at two sizes side by
side, on SQLite and (when DATABASE_URL names one) on PostgreSQL.

Each size gets a fresh database of its own (``bench/import.sqlite3``, or the
PostgreSQL database ``newsroom_bench_import`` on DATABASE_URL's server, or the
one BENCH_IMPORT_DB_NAME names; never the developer's), migrated, with one
superuser to write as. The export is imported twice by ``manage.py
import_wordpress`` in a child process: the first run creates everything, the
second finds it unchanged. Posts per second come from the importer's own
clock (its report), so Django's start-up is left out; peak RSS is the child's
own high-water mark (``wait4``), the figure the issue's 250 MB bound is
about. The table goes to its own section of
bench/RESULTS.md; the other sections are left as they were.

Knobs (environment): BENCH_IMPORT_POSTS (comma-separated sizes, default
"200,2000"), BENCH_IMPORT_COMMENTS (per post, default 3),
BENCH_IMPORT_BODY_BYTES (text per post, default 2000; 6000 makes 100,000
posts about 1 GB), BENCH_IMPORT_DB_NAME (the PostgreSQL database to create and
drop, default "newsroom_bench_import"; its name must contain "bench"),
BENCH_IMPORT_PROFILE=1 (also a cProfile of the first run of
the smallest size, printed as the top functions by own time).
"""

from __future__ import annotations

import cProfile
import json
import os
import pstats
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench import database
from bench.wxr import wxr_write

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
RESULTS_MD = BENCH_DIR / "RESULTS.md"
SQLITE_PATH = BENCH_DIR / "import.sqlite3"
# Several people benchmarking on one server each name their own.
PG_NAME = os.environ.get("BENCH_IMPORT_DB_NAME", "").strip() or "newsroom_bench_import"
KEY = "wordpress-import"
USERNAME = "bench-importer"


@dataclass
class Row:
    database: str
    posts: int
    comments: int
    megabytes: float
    first_rate: float
    first_seconds: float
    first_rss_mb: float
    rerun_rate: float
    rerun_seconds: float
    rerun_rss_mb: float
    created: int
    unchanged: int


def _env(url: str) -> dict[str, str]:
    return {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": "bench-import-throwaway-key-not-for-any-site-0123456789",
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": url,
        "JOBS_BACKEND": "immediate",
        "LOG_LEVEL": "ERROR",
        "MEDIA_ROOT": str(BENCH_DIR / ".import-media"),
        "IMPORT_ROOT": str(BENCH_DIR / ".import-uploads"),
    }


def _manage(url: str, *args: str) -> None:
    subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=_env(url),
        check=True,
        stdout=subprocess.DEVNULL,
    )


def _fresh(url: str, vendor: str) -> None:
    if vendor == "sqlite":
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{SQLITE_PATH}{suffix}").unlink(missing_ok=True)
    else:
        db = database.Database(url, "postgresql", PG_NAME)
        database.ensure_exists(db)
        database.recreate(db)
    _manage(url, "migrate", "--noinput", "--verbosity", "0")
    _manage(
        url,
        "shell",
        "-c",
        "from django.contrib.auth import get_user_model; "
        f"get_user_model().objects.create_superuser('{USERNAME}', "
        "'bench@example.org', None)",
    )


def _import(url: str, path: Path, report: Path) -> tuple[dict, float]:
    """One import in a child process: its report and its peak RSS in MB."""
    child = subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "import_wordpress",
            str(path),
            "--user",
            USERNAME,
            "--report",
            str(report),
            "--verbosity",
            "0",
        ],
        cwd=ROOT,
        env=_env(url),
        stdout=subprocess.DEVNULL,
    )
    _pid, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode:
        raise SystemExit(f"import_wordpress failed ({child.returncode}) on {url}")
    return json.loads(report.read_text()), usage.ru_maxrss / 1024  # KB on Linux


def _databases() -> list[tuple[str, str, str]]:
    """(label, url, vendor): SQLite always; PostgreSQL when DATABASE_URL says."""
    found = [("SQLite", f"sqlite:///{SQLITE_PATH}", "sqlite")]
    given = os.environ.get("DATABASE_URL", "")
    if given.split(":", 1)[0] in {"postgres", "postgresql", "pgsql"}:
        found.append(("PostgreSQL", database.select(PG_NAME).url, "postgresql"))
    return found


def measure(
    *, posts: list[int], comments: int, body_bytes: int, workdir: Path
) -> list[Row]:
    rows = []
    for size in posts:
        export = workdir / f"bench-{size}.xml"
        size_bytes = wxr_write(
            path=export, posts=size, comments=comments, body_bytes=body_bytes
        )
        for label, url, vendor in _databases():
            print(f"{label}: {size} posts ({size_bytes / 1e6:.0f} MB) …", flush=True)
            _fresh(url, vendor)
            first, first_rss = _import(url, export, workdir / "first.json")
            second, second_rss = _import(url, export, workdir / "second.json")
            created = first["counts"]["post"]["created"]
            if created != size or second["counts"]["post"]["unchanged"] != size:
                raise SystemExit(
                    f"{label}: expected {size} posts created then unchanged, got "
                    f"{first['counts']['post']} then {second['counts']['post']}"
                )
            rows.append(
                Row(
                    database=label,
                    posts=size,
                    comments=first["counts"].get("comment", {}).get("created", 0),
                    megabytes=size_bytes / 1e6,
                    first_rate=size / first["seconds"],
                    first_seconds=first["seconds"],
                    first_rss_mb=first_rss,
                    rerun_rate=size / second["seconds"],
                    rerun_seconds=second["seconds"],
                    rerun_rss_mb=second_rss,
                    created=created,
                    unchanged=second["counts"]["post"]["unchanged"],
                )
            )
            print(_table([rows[-1]]), flush=True)
    return rows


def profile(*, size: int, comments: int, body_bytes: int, workdir: Path) -> str:
    """Where the first run's time goes, in this process, on SQLite."""
    export = workdir / "profile.xml"
    wxr_write(path=export, posts=size, comments=comments, body_bytes=body_bytes)
    url = f"sqlite:///{SQLITE_PATH}"
    _fresh(url, "sqlite")
    os.environ.update(_env(url))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model

    from core.importers.wordpress import wordpress_import

    user = get_user_model().objects.get(username=USERNAME)
    profiler = cProfile.Profile()
    profiler.runcall(wordpress_import, paths=[export], user=user)
    out = workdir / "profile.txt"
    with out.open("w") as stream:
        stats = pstats.Stats(profiler, stream=stream)
        stats.sort_stats("tottime").print_stats(25)
        stats.sort_stats("cumulative").print_stats(r"(articles|comments|core)/", 25)
    return out.read_text()


def _table(rows: list[Row]) -> str:
    lines = [
        "| database | posts | comments | file | first run: posts/s (s) "
        "| re-run: posts/s (s) | peak RSS first / re-run |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in rows:
        lines.append(
            f"| {row.database} | {row.posts:,} | {row.comments:,} "
            f"| {row.megabytes:.0f} MB "
            f"| {row.first_rate:,.0f} ({row.first_seconds:,.0f} s) "
            f"| {row.rerun_rate:,.0f} ({row.rerun_seconds:,.1f} s) "
            f"| {row.first_rss_mb:.0f} / {row.rerun_rss_mb:.0f} MB |"
        )
    return "\n".join(lines)


def write_results(rows: list[Row], *, comments: int, body_bytes: int) -> None:
    """Replace (or add) this benchmark's own section of RESULTS.md."""
    body = (
        "## WordPress import (`make bench-import`)\n\n"
        f"Synthetic export (`bench/wxr.py`): {comments} threaded comments per post, "
        f"about {body_bytes:,} bytes of text per post, 24 categories, 400 tags, a "
        "co-author on one post in five; no media. Measured "
        f"{time.strftime('%Y-%m-%d')} on {os.cpu_count()} CPUs. Targets (issue 12): "
        "≥ 300 posts/s on the first run on SQLite, ≥ 3,000 posts/s on an unchanged "
        "re-run, peak RSS ≤ 250 MB whatever the size. Load average (1 min) "
        f"when the run ended: {os.getloadavg()[0]:.1f}; on a shared machine the "
        "rates move with it, the memory does not.\n\n"
        f"{_table(rows)}\n"
    )
    text = RESULTS_MD.read_text() if RESULTS_MD.exists() else ""
    block = f"<!-- bench:{KEY} -->\n{body}<!-- /bench:{KEY} -->\n"
    pattern = re.compile(rf"<!-- bench:{KEY} -->\n.*?<!-- /bench:{KEY} -->\n", re.S)
    if pattern.search(text):
        text = pattern.sub(lambda _match: block, text)
    else:
        text = text.rstrip("\n") + "\n\n" + block
    RESULTS_MD.write_text(text)


def main() -> None:
    posts = [
        int(size.replace("_", ""))
        for size in os.environ.get("BENCH_IMPORT_POSTS", "200,2000").split(",")
    ]
    comments = int(os.environ.get("BENCH_IMPORT_COMMENTS", "3"))
    body_bytes = int(os.environ.get("BENCH_IMPORT_BODY_BYTES", "2000"))
    with tempfile.TemporaryDirectory(prefix="bench-import-") as tmp:
        workdir = Path(tmp)
        rows = measure(
            posts=posts, comments=comments, body_bytes=body_bytes, workdir=workdir
        )
        write_results(rows, comments=comments, body_bytes=body_bytes)
        print(_table(rows))
        if os.environ.get("BENCH_IMPORT_PROFILE") == "1":
            print(
                profile(
                    size=min(posts),
                    comments=comments,
                    body_bytes=body_bytes,
                    workdir=workdir,
                )
            )


if __name__ == "__main__":
    main()
