"""
wrk (Debian's) as the load generator: one call per scenario, bounded in time.

Its Lua scripts (bench/wrk/) print the figures as one JSON line, read here.
"""

import json
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

WRK_DIR = Path(__file__).resolve().parent / "wrk"
MARKER = "BENCH-JSON "


def wrk_path() -> str:
    path = shutil.which("wrk")
    if path is None:
        raise SystemExit(
            "make bench needs wrk: apt-get install wrk (make bench does it as root)."
        )
    return path


@dataclass(frozen=True)
class Load:
    url: str
    duration: int
    threads: int
    connections: int
    headers: dict = field(default_factory=dict)
    script: str = "report.lua"
    args: tuple[str, ...] = ()


def run(load: Load) -> dict:
    """Drive ``load.url`` and return wrk's figures (latencies in µs)."""
    command = [
        wrk_path(),
        f"-t{load.threads}",
        f"-c{load.connections}",
        f"-d{load.duration}s",
        "--timeout=10s",
        "-s",
        str(WRK_DIR / load.script),
    ]
    for name, value in load.headers.items():
        command += ["-H", f"{name}: {value}"]
    command.append(load.url)
    if load.args:
        command += ["--", *load.args]
    finished = subprocess.run(
        command,
        capture_output=True,
        text=True,
        timeout=load.duration + 60,
        check=False,
    )
    for line in finished.stdout.splitlines():
        if line.startswith(MARKER):
            figures = json.loads(line[len(MARKER) :])
            seconds = figures["duration_us"] / 1e6
            figures["rps"] = figures["requests"] / seconds if seconds else 0.0
            figures["errors"] = sum(
                figures[name]
                for name in (
                    "connect_errors",
                    "read_errors",
                    "write_errors",
                    "status_errors",
                    "timeouts",
                )
            )
            return figures
    raise RuntimeError(
        f"wrk gave no figures (exit {finished.returncode}):\n"
        f"{finished.stdout[-2000:]}\n{finished.stderr[-2000:]}"
    )
