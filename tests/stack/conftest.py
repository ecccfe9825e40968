"""The running app servers the stack tests share, and the figures they report.

Started once for the package and stopped at the end, also when a test fails
or the run is interrupted. A missing binary (PostgreSQL, redis-server,
haproxy) fails the run with the package to install; never a quiet skip.
"""

import json
import time

import pytest

from tests.faults.services import ServiceMissing
from tests.stack.cluster import AppServers

FIGURES: dict[str, dict] = {}


@pytest.fixture(scope="package")
def cluster():
    started = time.monotonic()
    try:
        running = AppServers()
    except ServiceMissing as error:
        pytest.fail(str(error), pytrace=False)
    try:
        running.start()
        FIGURES["cluster"] = {
            "start_seconds": round(time.monotonic() - started, 1),
            **running.timings,
        }
        yield running
    finally:
        running.stop()


@pytest.fixture
def figures(request):
    """Record this test's figures; printed at the end of the run."""
    return FIGURES.setdefault(request.node.name, {})


def pytest_terminal_summary(terminalreporter):
    if not FIGURES:
        return
    terminalreporter.section("app server figures (docs/deploy.md)")
    for name, values in FIGURES.items():
        terminalreporter.write_line(f"{name}: {json.dumps(values, sort_keys=True)}")
