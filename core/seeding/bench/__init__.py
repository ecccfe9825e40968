"""
A newsroom at scale for ``make bench`` (the ``seed_bench`` command).

Production code: the command lives in core, so it can never import the bench
harness; the harness (bench/) imports this to check a seeded database.
``plan`` says what bench data is and removes it; ``seeder`` makes the rows.
"""

from core.seeding.bench.plan import (
    PREFIX,
    SAMPLE_INDEX,
    SEED_RULE,
    TARGET_SLUG,
    VIRAL_SLUG,
    Plan,
    has_bench_data,
    reset,
)
from core.seeding.bench.seeder import Seeder, peak_rss_mib

__all__ = [
    "PREFIX",
    "SAMPLE_INDEX",
    "SEED_RULE",
    "TARGET_SLUG",
    "VIRAL_SLUG",
    "Plan",
    "Seeder",
    "has_bench_data",
    "peak_rss_mib",
    "reset",
]
