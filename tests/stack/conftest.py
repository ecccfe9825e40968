"""Print what the stack tests measured at the end of the run."""

import json

from tests.stack.embedded import FIGURES


def pytest_terminal_summary(terminalreporter):
    if not FIGURES:
        return
    terminalreporter.section("shared-cache figures (docs/caching.md)")
    for name, values in FIGURES.items():
        terminalreporter.write_line(f"{name}: {json.dumps(values, sort_keys=True)}")
