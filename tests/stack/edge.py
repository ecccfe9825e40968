"""
Varnish in front of the app, for tests/stack/test_edge_purge.py.

gunicorn (2 workers, production settings, DEBUG off) on a SQLite file and a
private redis-server (so the page cache, and its purges, are shared by the
workers and by the writer process), and varnishd with deploy/varnish/default.vcl
on free loopback ports, its working directory private (``-n``). The app is
told to purge the edge (``EDGE_PURGE=varnish``). Everything is stopped and
removed at the end, whatever happens.

Writes are made the way the app makes them, by the services, in a separate
process with the app's settings (tests/stack/edge_writes.py): the purge then
runs after a real commit, as it does in the admin.
"""

import http.client
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.server import Gunicorn, free_port
from tests.faults.services import PrivateRedis, ServiceMissing

PROJECT = Path(__file__).resolve().parents[2]
VCL = PROJECT / "deploy" / "varnish" / "default.vcl"
TIMEOUT = 15


def varnishd_path() -> str:
    path = shutil.which("varnishd") or (
        "/usr/sbin/varnishd" if Path("/usr/sbin/varnishd").exists() else None
    )
    if path is None:
        raise ServiceMissing(
            "The edge tests need Varnish and its xkey vmod: "
            "apt-get install varnish varnish-modules"
        )
    return path


class Varnish:
    def __init__(self, *, backend_port: int, root: Path):
        self.path = varnishd_path()
        self.port = free_port()
        self.root = root
        self.workdir = root / "varnish"
        self.vcl = root / "default.vcl"
        text = VCL.read_text()
        assert '.port = "8000";' in text
        self.vcl.write_text(
            text.replace('.port = "8000";', f'.port = "{backend_port}";')
        )
        self.process: subprocess.Popen | None = None
        self.log = root / "varnishd.log"

    def start(self, timeout: float = 60) -> None:
        log = self.log.open("wb")
        self.process = subprocess.Popen(
            [
                self.path, "-F", "-n", str(self.workdir),
                "-a", f"127.0.0.1:{self.port}",
                "-T", "none",  # no management port: nothing else to listen
                "-f", str(self.vcl),
                "-s", "malloc,64m",
                "-p", "workspace_backend=128k",
                # As root (CI) varnishd would switch to its own user, which
                # cannot read a private temporary folder; run as the caller.
                *(["-j", "none"] if os.geteuid() == 0 else []),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )  # fmt: skip
        log.close()
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"varnishd exited:\n{self.log_tail()}")
            try:
                status = request(self.port, "GET", "/healthz-edge")[0].status
                if status:
                    return
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"varnishd not ready:\n{self.log_tail()}")
            time.sleep(0.1)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=5)
        self.process = None

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


def request(port, method, path, *, headers=None, body="", source="127.0.0.1"):
    """One request on a new connection, from ``source`` (a loopback address)."""
    connection = http.client.HTTPConnection(
        "127.0.0.1", port, timeout=TIMEOUT, source_address=(source, 0)
    )
    try:
        connection.request(method, path, body=body or None, headers=headers or {})
        response = connection.getresponse()
        return response, response.read().decode(errors="replace")
    finally:
        connection.close()


class EdgeStack:
    def __init__(self):
        self.root = Path(tempfile.mkdtemp(prefix="newsroom-edge-"))
        self.redis = PrivateRedis()
        self.app_port = free_port()
        self.varnish = Varnish(backend_port=self.app_port, root=self.root)
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "newsroom.settings",
            "PYTHONPATH": str(PROJECT),
            "DEBUG": "false",
            "SECRET_KEY": secrets.token_urlsafe(50),  # throwaway, this run only
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "false",
            "STATIC_ROOT": str(self.root / "static"),
            "MEDIA_ROOT": str(self.root / "media"),
            "DATABASE_URL": f"sqlite:///{self.root / 'db.sqlite3'}",
            "REDIS_URL": self.redis.url.rsplit("/", 1)[0] + "/6",
            "CACHE_KEY_PREFIX": "newsroom-edge",
            "SITE_URL": f"http://127.0.0.1:{self.varnish.port}",
            "COMMENTS_PROXY_COUNT": "1",  # Varnish appends to X-Forwarded-For
            "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
            "LOG_LEVEL": "WARNING",
            "EDGE_PURGE": "varnish",
            "EDGE_PURGE_URLS": f"http://127.0.0.1:{self.varnish.port}",
            "EDGE_PURGE_TIMEOUT": "2",
        }
        self.server = Gunicorn(
            port=self.app_port, workers=2, env=self.env, log_path=self.root / "app.log"
        )

    def manage(self, *args: str, timeout: float = 300) -> None:
        subprocess.run(
            [sys.executable, str(PROJECT / "manage.py"), *args],
            env=self.env, cwd=PROJECT, check=True, timeout=timeout,
            stdout=subprocess.DEVNULL,
        )  # fmt: skip

    def start(self) -> None:
        self.redis.start()
        self.varnish.start()  # first, so that seeding's purges reach it too
        self.manage("migrate", "--noinput", "-v0")
        self.manage("seed_demo", "--force")
        self.manage("collectstatic", "--noinput", "-v0")
        self.server.start()
        self.server.wait_ready("/", timeout=90)

    def stop(self) -> None:
        try:
            self.varnish.stop()
        finally:
            try:
                self.server.stop()
            finally:
                self.redis.remove()
                shutil.rmtree(self.root, ignore_errors=True)

    def write(self, action: str, *args) -> dict:
        """Run one write through the services in a process of its own."""
        return self.finish(self.start_write(action, *args))

    def start_write(self, action: str, *args) -> subprocess.Popen:
        """Start a write, so that the caller can watch the edge meanwhile."""
        return subprocess.Popen(
            [sys.executable, "-m", "tests.stack.edge_writes", action, *map(str, args)],
            env=self.env, cwd=PROJECT, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True,
        )  # fmt: skip

    def finish(self, writer: subprocess.Popen) -> dict:
        try:
            out, err = writer.communicate(timeout=120)
        except subprocess.TimeoutExpired:
            writer.kill()
            out, err = writer.communicate()
        if writer.returncode != 0:
            raise RuntimeError(f"{writer.args[3:]} failed:\n{out}{err}")
        return json.loads(out.strip().splitlines()[-1])

    def edge(self, path, **kwargs):
        return request(self.varnish.port, "GET", path, **kwargs)

    def app(self, path, **kwargs):
        return request(self.app_port, "GET", path, **kwargs)
