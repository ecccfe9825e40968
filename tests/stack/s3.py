"""
A real S3-compatible server for the object-storage tests: moto's server mode
(``moto_server``, from the moto[server] package on PyPI) as a subprocess on a
free port of 127.0.0.1, stopped at the end whatever happens.

It answers the S3 REST API over HTTP, so boto3 and django-storages talk to it
exactly as to a bucket in production, and it serves objects to anonymous GETs
at ``http://127.0.0.1:PORT/<bucket>/<key>``, the address MEDIA_URL names.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from bench.server import free_port

ACCESS_KEY = "newsroom-test-key"
SECRET_KEY = "newsroom-test-secret"
REGION = "us-east-1"


class S3ServerMissing(RuntimeError):
    """moto_server is not installed (pip install -r requirements-dev.txt)."""


def moto_server_path() -> str:
    beside_python = Path(sys.executable).with_name("moto_server")
    if beside_python.exists():
        return str(beside_python)
    found = shutil.which("moto_server")
    if found is None:
        raise S3ServerMissing(
            "The object-storage tests need moto's S3 server: "
            "pip install -r requirements-dev.txt (moto[server])"
        )
    return found


class MotoS3Server:
    """``moto_server`` on 127.0.0.1:port, its log in a temporary folder."""

    def __init__(self) -> None:
        self.path = moto_server_path()
        self.port = free_port()
        self.root = Path(tempfile.mkdtemp(prefix="newsroom-s3-"))
        self.process: subprocess.Popen | None = None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30) -> None:
        log = (self.root / "moto.log").open("ab")
        self.process = subprocess.Popen(
            [self.path, "-H", "127.0.0.1", "-p", str(self.port)],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
        log.close()
        deadline = time.monotonic() + timeout
        while not self.is_ready():
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(
                    f"moto_server did not start on {self.port}: {self.log()[-2000:]}"
                )
            time.sleep(0.1)

    def is_ready(self) -> bool:
        try:
            with urllib.request.urlopen(self.endpoint + "/", timeout=1) as response:
                return response.status == 200
        except OSError:
            return False

    def log(self) -> str:
        try:
            return (self.root / "moto.log").read_text(errors="replace")
        except OSError:
            return ""

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
