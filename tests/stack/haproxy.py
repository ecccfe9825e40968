"""
HAProxy from Debian, running deploy/haproxy.cfg with loopback addresses.

The test runs the deployment's own file, not one of its own, so a change to
the balancing, the health check or the timeouts is tested as shipped. Only
what differs on a test machine is rewritten, each by a rule that fails
loudly if the file no longer has the line it expects:

- the frontend's ``bind`` lines become one ``bind 127.0.0.1:<port>``;
- the ``server`` lines of ``backend newsroom`` become one per app server;
- the stats socket moves to the run's temporary folder;
- ``chroot``, ``user`` and ``group`` go: the test runs as whoever runs it.

The stats socket answers "is this server up?" the way an operator asks it.
"""

import os
import re
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

from tests.faults.services import ServiceMissing

PROJECT = Path(__file__).resolve().parents[2]
CONFIG = PROJECT / "deploy" / "haproxy.cfg"
BACKEND = "newsroom"


def haproxy_path() -> str:
    path = shutil.which("haproxy")
    if path is None:
        raise ServiceMissing(
            "The multi-server tests need HAProxy: apt-get install haproxy"
        )
    return path


def _replace(text: str, pattern: str, replacement: str, what: str) -> str:
    new, found = re.subn(pattern, replacement, text, flags=re.MULTILINE)
    if not found:
        raise ValueError(f"deploy/haproxy.cfg has no {what} line to rewrite")
    return new


def render(
    *, port: int, servers: list[tuple[str, int]], socket_path: Path, text: str
) -> str:
    """deploy/haproxy.cfg with loopback addresses (see the module docstring)."""
    if not servers:
        raise ValueError("at least one app server is needed")
    text = _replace(text, r"^(\s*)bind\s.*\n", "", "bind")
    text = _replace(
        text,
        r"^(frontend public\n)",
        rf"\g<1>    bind 127.0.0.1:{port}\n",
        "frontend public",
    )
    lines = "".join(f"    server {name} 127.0.0.1:{at}\n" for name, at in servers)
    # All the server lines, one block, where the first of them was.
    text = _replace(text, r"^\s*server\s.*\n(?:\s*server\s.*\n)*", lines, "server")
    text = _replace(
        text, r"stats socket \S+", f"stats socket {socket_path}", "stats socket"
    )
    for keyword in ("chroot", "user", "group"):
        text = _replace(text, rf"^\s*{keyword}\s.*\n", "", keyword)
    return text


class HAProxy:
    def __init__(self, *, port: int, servers: list[tuple[str, int]], root: Path):
        self.path = haproxy_path()
        self.port = port
        self.root = root
        self.socket_path = root / "haproxy.sock"
        self.config = root / "haproxy.cfg"
        self.config.write_text(
            render(
                port=port,
                servers=servers,
                socket_path=self.socket_path,
                text=CONFIG.read_text(),
            )
        )
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 10) -> None:
        check = subprocess.run(
            [self.path, "-c", "-q", "-f", str(self.config)],
            capture_output=True,
            text=True,
            check=False,
            timeout=30,
        )
        if check.returncode != 0:
            raise RuntimeError(f"haproxy refuses the config:\n{check.stderr}")
        log = (self.root / "haproxy.log").open("ab")
        # -db: stay in the foreground, so stopping this process stops HAProxy.
        self.process = subprocess.Popen(
            [self.path, "-db", "-f", str(self.config)],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        log.close()
        deadline = time.monotonic() + timeout
        while not self.socket_path.exists():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"haproxy did not start:\n{self.log_tail()}")
            time.sleep(0.05)

    def ask(self, command: str) -> str:
        """One command on the stats socket, as ``socat`` would send it."""
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as client:
            client.settimeout(2)
            client.connect(str(self.socket_path))
            client.sendall(command.encode() + b"\n")
            chunks = []
            while chunk := client.recv(65536):
                chunks.append(chunk)
        return b"".join(chunks).decode()

    def states(self) -> dict[str, str]:
        """Each app server's state as the balancer sees it: "UP", "DOWN" …"""
        lines = self.ask("show stat").splitlines()
        header = lines[0].lstrip("# ").split(",")
        found = {}
        for line in lines[1:]:
            row = dict(zip(header, line.split(","), strict=False))
            if row.get("pxname") == BACKEND and row.get("svname") not in (
                "BACKEND",
                "FRONTEND",
                None,
            ):
                found[row["svname"]] = row["status"].split()[0]
        return found

    def log_tail(self, lines: int = 20) -> str:
        try:
            text = (self.root / "haproxy.log").read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=5)
        except ProcessLookupError:
            pass
