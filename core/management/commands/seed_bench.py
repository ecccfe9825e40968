"""
``python manage.py seed_bench``: a newsroom at scale for ``make bench``.

The rows and their rules are in ``core/seeding/bench/``; this is the command
line: sizes, ``--reset``, a progress bar, and the figures at the end (time and
peak memory, also as JSON with ``--stats``).
"""

import json
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from core.seeding.bench import (
    SAMPLE_INDEX,
    Plan,
    Seeder,
    has_bench_data,
    peak_rss_mib,
    reset,
)

try:
    # A development requirement (requirements-dev.txt): the command runs on a
    # production install too, with a plain bar instead.
    from tqdm import tqdm
except ImportError:
    tqdm = None


class Command(BaseCommand):
    help = (
        "Seed a large newsroom for benchmarks (make bench): articles in batches "
        "with bylines, tags, takeaways and comments, and one viral article. "
        "Refuses a database that already holds bench data unless --reset."
    )

    def add_arguments(self, parser):
        parser.add_argument("--articles", type=int, default=20_000)
        parser.add_argument(
            "--comments-per-article",
            type=int,
            default=3,
            help="Approved comments under each published article.",
        )
        parser.add_argument(
            "--hot-comments",
            type=int,
            default=2_000,
            help="Approved comments under the one viral article.",
        )
        parser.add_argument("--authors", type=int, default=200)
        parser.add_argument("--tags", type=int, default=2_000)
        parser.add_argument("--batch-size", type=int, default=1_000)
        parser.add_argument(
            "--seed", type=int, default=6, help="Random seed: same seed, same rows."
        )
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Remove earlier bench data (bench- slugs) first.",
        )
        parser.add_argument(
            "--stats", help="Also write the figures as JSON to this file."
        )
        parser.add_argument(
            "--no-progress", action="store_true", help="No progress bar."
        )

    def handle(self, *args, **options):
        if options["articles"] < SAMPLE_INDEX + 1:
            raise CommandError(f"--articles must be at least {SAMPLE_INDEX + 1}.")
        if min(options["comments_per_article"], options["hot_comments"]) < 0:
            raise CommandError("Comment counts cannot be negative.")
        if options["tags"] < 10 or options["authors"] < 3:
            raise CommandError("Use at least 10 tags and 3 authors.")
        if options["batch_size"] < 1:
            raise CommandError("--batch-size must be at least 1.")
        started = time.monotonic()
        if has_bench_data():
            if not options["reset"]:
                raise CommandError(
                    "This database already holds bench data (bench- slugs). "
                    "Run again with --reset to replace it."
                )
            self.stdout.write("Removing earlier bench data…")
            reset()
        plan = Plan(
            options["articles"],
            options["comments_per_article"],
            options["hot_comments"],
        )
        seeder = Seeder(
            plan, seed=options["seed"], authors=options["authors"], tags=options["tags"]
        )
        made = seeder.run(
            batch_size=options["batch_size"],
            progress=self.progress(plan.articles, disabled=options["no_progress"]),
        )
        elapsed = time.monotonic() - started
        stats = {
            **made,
            "seconds": round(elapsed, 1),
            "batch_size": options["batch_size"],
            "peak_rss_mib": round(peak_rss_mib(), 1),
            "database": connection.vendor,
        }
        if options["stats"]:
            Path(options["stats"]).write_text(json.dumps(stats, indent=2))
        self.stdout.write(
            self.style.SUCCESS(
                f"Seeded {made['articles']:,} articles and {made['comments']:,} "
                f"comments in {elapsed:.0f} s. Peak RSS: {stats['peak_rss_mib']} MiB."
            )
        )

    def progress(self, total: int, *, disabled: bool):
        if tqdm is None:
            return PlainProgress(total, self.stderr, disabled=disabled)
        return tqdm(
            total=total,
            desc="seed_bench",
            unit=" articles",
            disable=disabled,
            file=self.stderr._out,
        )


class PlainProgress:
    """A one-line progress bar where tqdm (a dev requirement) is not installed."""

    def __init__(self, total: int, out, *, disabled: bool):
        self.total, self.done, self.out, self.disabled = total, 0, out, disabled

    def update(self, count: int) -> None:
        self.done += count
        if not self.disabled:
            bar = "#" * int(30 * self.done / self.total)
            self.out.write(f"\r[{bar:<30}] {self.done:,}/{self.total:,}", ending="")

    def close(self) -> None:
        if not self.disabled:
            self.out.write("")
