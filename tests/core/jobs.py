"""Functions the job tests run by dotted path, as the worker would."""

import time
from pathlib import Path

from django_tasks import task


def count_to(n: int, *, progress) -> dict:
    for i in range(1, n + 1):
        progress(i, n, f"counted {i}")
    return {"counted": n}


def fail(*, progress):
    progress(1, 10, "reading the export")
    raise ValueError("the export is truncated")


@task()
def noop() -> None:
    pass


def slow_append(path: str, seconds: float, *, progress) -> str:
    """Marks its start, takes a moment, then appends one line: a run that is
    killed before the end leaves no line, and each finished run one."""
    out = Path(path)
    with out.with_suffix(".started").open("a") as started:
        started.write("started\n")
    time.sleep(seconds)
    with out.open("a") as done:
        done.write("done\n")
    return "done"


@task()
def fail_once(path: str) -> int:
    """Fails on its first run and succeeds on the next: the lines it wrote."""
    out = Path(path)
    runs = out.read_text().splitlines() if out.exists() else []
    if not runs:
        out.write_text("failed\n")
        raise ConnectionError("the far end is down this time")
    out.write_text("failed\ndone\n")
    return len(runs) + 1
