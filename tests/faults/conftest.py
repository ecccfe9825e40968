"""The running stack the fault tests share, and the figures they report.

The stack (private PostgreSQL and Redis, gunicorn) starts once for the
tests that ask for it and is stopped at the end, also when a test fails or
the run is interrupted. A missing server binary fails the run with the
package to install: these tests are never skipped quietly.
"""

import json
import time

import pytest

from tests.faults.services import ServiceMissing
from tests.faults.stack import Stack

FIGURES: dict[str, dict] = {}


@pytest.fixture(scope="package")
def stack():
    started = time.monotonic()
    try:
        running = Stack()
    except ServiceMissing as error:
        pytest.fail(str(error), pytrace=False)
    try:
        running.start()
        FIGURES["stack"] = {
            "start_seconds": round(time.monotonic() - started, 1),
            **running.timings,
        }
        yield running
        assert running.server.process.poll() is None, (
            "gunicorn died during the fault tests:\n" + running.server.log_tail()
        )
    finally:
        running.stop()


@pytest.fixture
def figures(request):
    """Record this test's figures; printed at the end of the run."""
    return FIGURES.setdefault(request.node.name, {})


def pytest_terminal_summary(terminalreporter):
    if not FIGURES:
        return
    terminalreporter.section("fault figures (docs/security/faults.md)")
    for name, values in FIGURES.items():
        terminalreporter.write_line(f"{name}: {json.dumps(values, sort_keys=True)}")
