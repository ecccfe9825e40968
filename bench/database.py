"""
The database and cache a run uses: always its own, never the developer's.

SQLite (default): ``bench/bench.sqlite3``, whatever DATABASE_URL says about
SQLite. PostgreSQL (DATABASE_URL names one): the same server and user, but the
database ``newsroom_bench`` (BENCH_DB_NAME), which the harness creates, and
drops only to reseed. Redis (REDIS_URL): the same server with a key prefix
of this run's own; without it, the default shared disk cache in a folder of
this run's own: either way pages and rate limits start cold and touch
nothing else.
"""

import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BENCH_DIR = Path(__file__).resolve().parent
SQLITE_PATH = BENCH_DIR / "bench.sqlite3"


@dataclass(frozen=True)
class Database:
    url: str
    vendor: str  # "sqlite" or "postgresql"
    name: str
    redis_url: str = ""

    @property
    def label(self) -> str:
        """How RESULTS.md names this setup; one section per label."""
        if self.vendor == "postgresql":
            return "PostgreSQL + Redis" if self.redis_url else "PostgreSQL"
        return "SQLite + Redis" if self.redis_url else "SQLite"

    @property
    def key(self) -> str:
        return self.label.lower().replace(" + ", "-")


def select(db_name: str) -> Database:
    redis_url = os.environ.get("REDIS_URL", "")
    given = os.environ.get("DATABASE_URL", "")
    scheme = urlsplit(given).scheme if given else "sqlite"
    if scheme in {"postgres", "postgresql", "pgsql"}:
        parts = urlsplit(given)
        url = urlunsplit(parts._replace(path=f"/{db_name}"))
        return Database(url, "postgresql", db_name, redis_url)
    if scheme != "sqlite":
        raise SystemExit(f"make bench runs on SQLite or PostgreSQL, not {scheme}.")
    return Database(f"sqlite:///{SQLITE_PATH}", "sqlite", str(SQLITE_PATH), redis_url)


def _admin_connection(db: Database):
    import psycopg2

    parts = urlsplit(db.url)
    connection = psycopg2.connect(urlunsplit(parts._replace(path="/postgres")))
    connection.autocommit = True
    return connection


def ensure_exists(db: Database) -> None:
    if db.vendor == "sqlite":
        return
    connection = _admin_connection(db)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db.name])
            if cursor.fetchone() is None:
                cursor.execute(f'CREATE DATABASE "{db.name}"')
    finally:
        connection.close()


def recreate(db: Database) -> None:
    """Start from an empty database (the bench's own; see ``select``)."""
    if db.vendor == "sqlite":
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{db.name}{suffix}").unlink(missing_ok=True)
        return
    assert "bench" in db.name, db.name  # never anyone else's database
    connection = _admin_connection(db)
    try:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{db.name}" WITH (FORCE)')
            cursor.execute(f'CREATE DATABASE "{db.name}"')
    finally:
        connection.close()


def environment(db: Database, *, static_root: Path, port: int) -> dict[str, str]:
    """The variables for the server and for this process's own Django."""
    env = {
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),  # throwaway, for this run only
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "STATIC_ROOT": str(static_root),
        "DATABASE_URL": db.url,
        "SITE_URL": f"http://127.0.0.1:{port}",
        # Writers come from distinct addresses in X-Forwarded-For, as readers
        # behind one proxy would (see bench/posting.py).
        "COMMENTS_PROXY_COUNT": "1",
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        "LOG_LEVEL": "ERROR",
    }
    if db.redis_url:
        env["REDIS_URL"] = db.redis_url
        env["CACHE_KEY_PREFIX"] = f"newsroom-bench-{secrets.token_hex(4)}"
    else:
        # The site's default cache (the disk cache every worker shares), in a
        # folder of this run's own beside its static files: it starts cold.
        env["CACHE_DIR"] = str(static_root.parent / "cache")
    return env


def server_version() -> str:
    """The database's name and version, from this process's Django."""
    from django.db import connection

    if connection.vendor == "sqlite":
        import sqlite3

        return f"SQLite {sqlite3.sqlite_version}"
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return f"PostgreSQL {cursor.fetchone()[0].split()[0]}"


def redis_version(url: str) -> str:
    if not url:
        return ""
    try:
        import redis

        return f"Redis {redis.Redis.from_url(url).info('server')['redis_version']}"
    except Exception as error:  # only a label in the report
        return f"Redis (version unknown: {error.__class__.__name__})"
