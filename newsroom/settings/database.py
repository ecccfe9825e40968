"""
The database: SQLite in the project by default, anything dj-database-url reads
otherwise (DATABASE_URL), with what each engine needs to serve several workers.
"""

import os

import dj_database_url

from .base import BASE_DIR
from .env import env_bool, env_int

# Database: SQLite in the project by default, anything dj-database-url reads otherwise.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A database host that has gone (not refused: silent) would hold a worker,
    # and HAProxy's /readyz probe, for the kernel's TCP timeout of minutes; a
    # few seconds lets /readyz answer 503 and the balancer move on.
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].setdefault(
        "connect_timeout", env_int("DB_CONNECT_TIMEOUT", 5)
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite serves one machine. WAL lets readers work while a writer writes;
    # IMMEDIATE takes the write lock at BEGIN, so two writers queue up on the
    # busy timeout instead of failing with "database is locked" mid-transaction.
    # Connections are kept as for PostgreSQL (DB_CONN_MAX_AGE): a new one reads
    # the whole schema again on its first query, about 2 ms with this project's
    # 160 tables and indexes, more than a comment post costs otherwise. A
    # connection idle between requests holds no lock and no snapshot.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": env_int("SQLITE_BUSY_TIMEOUT", 20),
        "init_command": (
            "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;PRAGMA foreign_keys=ON;"
        ),
    }

# PostgreSQL: the article page's query is prepared once per connection and
# planned once there, not for every page (articles/selectors/prepared.py). Set
# DB_PREPARED_STATEMENTS=false behind a pooler that hands each transaction
# another server connection (PgBouncer's transaction or statement pooling):
# the statement would be on one server connection and asked for on another.
# Session pooling, and a direct connection, keep it.
NEWSROOM_PREPARED_STATEMENTS = env_bool("DB_PREPARED_STATEMENTS", True)

# PostgreSQL: a reader's comment commits without waiting for the write-ahead log
# to reach the disk (synchronous_commit off, for that transaction only). Off by
# default: if the database server crashes, the comments acknowledged in its last
# moment (up to three times wal_writer_delay, 0.6 s by default) are lost; nothing
# is corrupted and no other write waits less. See docs/comments.md, "Posting".
NEWSROOM_COMMENTS_ASYNC_COMMIT = env_bool("COMMENTS_ASYNC_COMMIT", False)
