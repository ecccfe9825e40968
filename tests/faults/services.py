"""
Throwaway PostgreSQL and Redis servers for the fault tests.

The fault tests restart PostgreSQL and stop Redis. Doing that to the shared
servers on 5432 and 6379 would break every other test running on the
machine, so each run starts its own: a PostgreSQL cluster made with initdb in
a temporary folder and a redis-server, both on free loopback ports, both
stopped and removed at the end whatever happens. Nothing listens beyond
127.0.0.1.

initdb and postgres refuse to run as root; as root (CI) they run as the
``postgres`` system user through ``runuser``.
"""

import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg2

from bench.server import free_port

PG_BIN_GLOB = "/usr/lib/postgresql/*/bin"
PG_USER = "postgres"


class ServiceMissing(RuntimeError):
    """A server binary the fault tests need is not installed."""


def postgres_bin() -> Path:
    """The newest installed PostgreSQL server's bin folder."""
    found = sorted(
        (path for path in Path("/").glob(PG_BIN_GLOB.lstrip("/"))),
        key=lambda path: int(path.parent.name) if path.parent.name.isdigit() else 0,
    )
    found = [path for path in found if (path / "initdb").exists()]
    if not found:
        raise ServiceMissing(
            "The fault tests need the PostgreSQL server binaries (initdb, pg_ctl, "
            f"postgres) under {PG_BIN_GLOB}: apt-get install postgresql"
        )
    return found[-1]


def redis_server_path() -> str:
    path = shutil.which("redis-server")
    if path is None:
        raise ServiceMissing(
            "The fault tests need redis-server: apt-get install redis-server"
        )
    return path


def _as_postgres(command: list[str]) -> list[str]:
    if os.geteuid() == 0:
        return ["runuser", "-u", PG_USER, "--", *command]
    return command


class PrivatePostgres:
    """A PostgreSQL cluster of our own, trust auth, on 127.0.0.1:port."""

    def __init__(self):
        self.bin = postgres_bin()
        self.port = free_port()
        self.root = Path(tempfile.mkdtemp(prefix="newsroom-faults-pg-"))
        self.data = self.root / "data"
        self.log = self.root / "postgres.log"
        self.database = "newsroom_faults"

    @property
    def url(self) -> str:
        return f"postgres://{PG_USER}@127.0.0.1:{self.port}/{self.database}"

    def _run(self, *args: str, timeout: float = 60) -> None:
        command = _as_postgres([str(self.bin / args[0]), *args[1:]])
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=timeout, check=False
        )
        if done.returncode != 0:
            raise RuntimeError(
                f"{' '.join(command)} failed ({done.returncode}):\n"
                f"{done.stdout}{done.stderr}\n{self.log_tail()}"
            )

    def _options(self) -> str:
        # fsync off: a process restart, not a power cut, is what is tested,
        # and the operating system keeps what PostgreSQL wrote either way.
        return (
            f"-p {self.port} -c listen_addresses=127.0.0.1 "
            f"-c unix_socket_directories={self.root} -c fsync=off "
            "-c max_connections=60"
        )

    def start(self) -> None:
        if os.geteuid() == 0:
            shutil.chown(self.root, user=PG_USER)
        self._run(
            "initdb",
            "-D",
            str(self.data),
            "-U",
            PG_USER,
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
            "--no-sync",
        )
        self._run(
            "pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-t", "30",
            "-o", self._options(), "start",
        )  # fmt: skip
        connection = self.connect("postgres")
        try:
            with connection.cursor() as cursor:
                cursor.execute(f'CREATE DATABASE "{self.database}"')
        finally:
            connection.close()

    def restart(self) -> None:
        """``pg_ctl restart -m fast``: sessions are cut, then it comes back."""
        self._run(
            "pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-t", "30",
            "-m", "fast", "-o", self._options(), "restart",
        )  # fmt: skip

    def is_ready(self) -> bool:
        command = [str(self.bin / "pg_isready"), "-q", "-h", "127.0.0.1"]
        done = subprocess.run([*command, "-p", str(self.port)], check=False, timeout=10)
        return done.returncode == 0

    def connect(self, database: str | None = None):
        connection = psycopg2.connect(
            host="127.0.0.1",
            port=self.port,
            user=PG_USER,
            dbname=database or self.database,
            connect_timeout=5,
        )
        connection.autocommit = True
        return connection

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            try:
                self._run(
                    "pg_ctl", "-D", str(self.data), "-w", "-t", "20",
                    "-m", "immediate", "stop",
                )  # fmt: skip
            except (RuntimeError, subprocess.TimeoutExpired):
                self._kill_postmaster()
        shutil.rmtree(self.root, ignore_errors=True)

    def _kill_postmaster(self) -> None:
        try:
            pid = int((self.data / "postmaster.pid").read_text().split()[0])
            os.kill(pid, 9)
        except (OSError, ValueError, IndexError):
            pass

    def log_tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log.read_text().splitlines()[-lines:])
        except OSError:
            return ""


class PrivateRedis:
    """A redis-server of our own on 127.0.0.1:port, without persistence."""

    def __init__(self, *, unix_socket: bool = False):
        self.path = redis_server_path()
        self.port = free_port()
        self.root = Path(tempfile.mkdtemp(prefix="newsroom-faults-redis-"))
        self.process: subprocess.Popen | None = None
        # Also listening on a unix socket in its folder (url then names it).
        self.socket = self.root / "redis.sock" if unix_socket else None

    @property
    def url(self) -> str:
        if self.socket is not None:
            return f"unix://{self.socket}?db=0"
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, timeout: float = 10) -> None:
        log = (self.root / "redis.log").open("ab")
        self.process = subprocess.Popen(
            [
                self.path, "--port", str(self.port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--dir", str(self.root),
                *(("--unixsocket", str(self.socket), "--unixsocketperm", "700")
                  if self.socket else ()),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )  # fmt: skip
        log.close()
        deadline = time.monotonic() + timeout
        while not self.is_ready():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"redis-server did not start on {self.port}")
            time.sleep(0.05)

    def is_ready(self) -> bool:
        import redis

        try:
            return bool(redis.Redis(port=self.port, socket_timeout=1).ping())
        except redis.exceptions.ConnectionError:
            return False

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        self.process = None

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)
