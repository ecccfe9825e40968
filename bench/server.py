"""
gunicorn for one run: started on a free loopback port, stopped whatever happens.

The server runs in a process group of its own, so stopping it stops its
workers too; and it is told to stop if this process dies without cleaning up
(Linux's parent-death signal), so no gunicorn outlives a run.
"""

import ctypes
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

PR_SET_PDEATHSIG = 1


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _die_with_parent() -> None:  # runs in the child, before exec
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except OSError:
        pass


class Gunicorn:
    """One gunicorn. With ``config`` (deploy/gunicorn.conf.py), that file's
    settings run, as in production; only the address and workers are ours."""

    def __init__(
        self,
        *,
        port: int,
        workers: int,
        env: dict,
        log_path: Path,
        config: Path | None = None,
        options: tuple[str, ...] = (),
        app: str = "newsroom.wsgi",
        venv: Path | None = None,
        cwd: Path | None = None,
    ):
        self.port, self.workers, self.env, self.log_path = port, workers, env, log_path
        self.config = config
        # Another site (the Wagtail peer, bench/peer/): its WSGI module, the
        # virtual environment whose gunicorn serves it, and its folder.
        self.app, self.venv, self.cwd = app, venv, cwd
        # More gunicorn options, e.g. an access log (tests/stack/).
        self.options = options
        self.process: subprocess.Popen | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        if self.venv is not None:
            gunicorn = self.venv / "bin" / "gunicorn"
        else:
            gunicorn = Path(sys.executable).with_name("gunicorn")
        command = [
            str(gunicorn),
            self.app,
            f"--workers={self.workers}",
            f"--bind=127.0.0.1:{self.port}",
        ]
        if self.config is not None:
            command.append(f"--config={self.config}")
        else:
            command += [
                "--worker-class=sync",
                "--timeout=60",
                "--graceful-timeout=5",
                "--log-level=warning",
            ]
        command += self.options
        log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            command,
            env=self.env,
            cwd=self.cwd,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            preexec_fn=_die_with_parent,
        )
        log.close()

    def wait_ready(self, path: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited early:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(self.base_url + path, timeout=2) as answer:
                    if answer.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.2)
        raise RuntimeError(
            f"gunicorn not ready after {timeout:.0f} s:\n{self.log_tail()}"
        )

    def worker_pids(self) -> list[int]:
        if self.process is None:
            return []
        children = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            # The command name may hold spaces and brackets; fields follow ")".
            parent = int(stat.rsplit(")", 1)[1].split()[1])
            if parent == self.process.pid:
                children.append(int(entry.name))
        return sorted(children)

    def peak_rss(self) -> dict:
        """VmHWM (peak resident memory) of the master and each worker, in MiB."""

        def hwm(pid: int) -> float | None:
            try:
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmHWM:"):
                        return round(int(line.split()[1]) / 1024, 1)
            except OSError:
                return None
            return None

        workers = [hwm(pid) for pid in self.worker_pids()]
        return {
            "master_mib": hwm(self.process.pid) if self.process else None,
            "workers_mib": [value for value in workers if value is not None],
        }

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text().splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=5)
        except ProcessLookupError:
            pass
