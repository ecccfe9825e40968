"""
The real application under fault: gunicorn with production settings in front
of a private PostgreSQL and a private Redis (tests/faults/services.py).

Set up as a deployment would be: migrate, the demo newsroom, collectstatic,
then gunicorn with DEBUG off. The moderation policy trusts first-time
commenters, as the benchmark's does, so that what is measured is posting,
not the first-time hold; every other rule stays on, the short rate limit at
one comment per 5 seconds (``RATE_SECONDS``) so a test can wait it out.

Tests read the database directly with psycopg2, as an outside observer: what
is stored is what PostgreSQL says, not what the app believes.
"""

import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.server import Gunicorn, free_port
from tests.faults.clients import Reader
from tests.faults.services import PrivatePostgres, PrivateRedis

PROJECT = Path(__file__).resolve().parents[2]
WORKERS = 2
ARTICLE_SLUG = "uk-considers-security-treaty-with-japan-as-quasi-ally"
# One comment per reader (address or email) in this many seconds: the
# default is 15; shorter, so a test can wait a window out, and long enough
# that the next post from the same address is inside it on a busy machine.
RATE_SECONDS = 5
BACK_LINK = re.compile(r'class="comments-back"><a href="([^"]+)"')
ARTICLE_COUNT = re.compile(r'<a href="#comments">(\d+) comments?</a>')
DISCUSSION_COUNT = re.compile(r'class="comments-count">(\d+) comments?<')


class Stack:
    def __init__(self):
        self.root = Path(tempfile.mkdtemp(prefix="newsroom-faults-"))
        self.pg = PrivatePostgres()
        self.redis = PrivateRedis()
        self.port = free_port()
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
            "DATABASE_URL": self.pg.url,
            "DB_CONN_MAX_AGE": "60",
            "REDIS_URL": self.redis.url,
            "CACHE_KEY_PREFIX": "newsroom-faults",
            "SITE_URL": f"http://127.0.0.1:{self.port}",
            "COMMENTS_PROXY_COUNT": "1",
            "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
            "LOG_LEVEL": "WARNING",
        }
        self.server = Gunicorn(
            port=self.port,
            workers=WORKERS,
            env=self.env,
            log_path=self.root / "gunicorn.log",
        )
        self.article_id = 0
        self.article_url = ""
        self.timings: dict[str, float] = {}
        self.seeded_up_to = 0

    def _step(self, name: str, function, *args) -> None:
        started = time.monotonic()
        function(*args)
        self.timings[name] = round(time.monotonic() - started, 1)

    def manage(self, *args: str, timeout: float = 300) -> str:
        """Run a management command against the stack; its output."""
        done = subprocess.run(
            [sys.executable, str(PROJECT / "manage.py"), *args],
            env=self.env,
            cwd=PROJECT,
            check=False,
            timeout=timeout,
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            raise RuntimeError(
                f"manage.py {args[0]} failed ({done.returncode}):\n"
                f"{done.stderr[-3000:]}"
            )
        return done.stdout

    def start(self) -> None:
        self.prepare()
        self.serve()

    def prepare(self) -> None:
        """The services and the data, ready for app servers to start on."""
        self._step("initdb_and_start_postgres", self.pg.start)
        self._step("start_redis", self.redis.start)
        self._step("migrate", self.manage, "migrate", "--noinput", "-v0")
        # Demo logins with known passwords are fine in a throwaway database.
        self._step("seed_demo", self.manage, "seed_demo", "--force")
        self._step("collectstatic", self.manage, "collectstatic", "--noinput", "-v0")
        self.execute(
            "UPDATE comments_moderationsettings "
            "SET trusted_after_approved = 0, notify_moderators = false, "
            "rate_short_count = 1, rate_short_seconds = %s",
            [RATE_SECONDS],
        )
        # The demo's own comments were made without the posting service.
        self.seeded_up_to = self.scalar(
            "SELECT coalesce(max(id), 0) FROM comments_comment"
        )
        self.article_id = self.scalar(
            "SELECT id FROM articles_article WHERE slug = %s", [ARTICLE_SLUG]
        )

    def serve(self) -> None:
        self.server.start()
        self.server.wait_ready("/", timeout=60)
        answer, html = self.reader().read_page(
            "discussion", f"/comments/{self.article_id}/"
        )
        assert answer.status == 200, answer
        self.article_url = BACK_LINK.search(html).group(1)

    def stop(self) -> None:
        try:
            self.server.stop()
        finally:
            try:
                self.redis.remove()
            finally:
                self.pg.stop()
                shutil.rmtree(self.root, ignore_errors=True)

    def reader(self) -> Reader:
        return Reader(port=self.port, article_id=self.article_id)

    def shown_counts(self) -> dict[str, int]:
        """The comment count readers are shown: on the article page rendered
        live (a session cookie bypasses the page cache), as the page cache
        serves it, and on the (never cached) discussion page."""
        live = self.reader()
        live.cookies["sessionid"] = "faults-live-page"
        pages = {
            "article_live": (live, self.article_url, ARTICLE_COUNT),
            "article_cached": (self.reader(), self.article_url, ARTICLE_COUNT),
            "discussion": (
                self.reader(),
                f"/comments/{self.article_id}/",
                DISCUSSION_COUNT,
            ),
        }
        counts = {}
        for name, (reader, path, pattern) in pages.items():
            answer, html = reader.read_page(name, path)
            assert answer.status == 200, (name, answer)
            counts[name] = int(pattern.search(html).group(1))
        return counts

    def log(self) -> str:
        return self.server.log_path.read_text(errors="replace")

    # The database, read from outside the app --------------------------------

    def execute(self, sql: str, params=None) -> None:
        connection = self.pg.connect()
        try:
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
        finally:
            connection.close()

    def rows(self, sql: str, params=None) -> list[tuple]:
        connection = self.pg.connect()
        try:
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                return cursor.fetchall()
        finally:
            connection.close()

    def scalar(self, sql: str, params=None):
        return self.rows(sql, params)[0][0]

    def comments_like(self, pattern: str) -> dict[int, tuple[str, str, str]]:
        """Stored comments whose email matches: id -> (email, status, rule)."""
        found = self.rows(
            "SELECT id, author_email, status, moderation_rule "
            "FROM comments_comment WHERE author_email LIKE %s",
            [pattern],
        )
        return {row[0]: row[1:] for row in found}

    def public_count(self) -> int:
        return self.scalar(
            "SELECT count(*) FROM comments_comment WHERE article_id = %s "
            "AND status = 'approved' AND hidden_at IS NULL",
            [self.article_id],
        )

    def half_written(self) -> dict[str, int]:
        """Rows a cut transaction could leave behind among posted comments
        (not the demo's): each must be 0."""
        since = [self.seeded_up_to]
        return {
            "comments without their decision in the audit log": self.scalar(
                "SELECT count(*) FROM comments_comment c WHERE c.id > %s AND "
                "NOT EXISTS (SELECT 1 FROM comments_auditentry a "
                "WHERE a.comment_id = c.id AND a.action = 'decided')",
                since,
            ),
            "decisions about comments that do not exist": self.scalar(
                "SELECT count(*) FROM comments_auditentry a WHERE "
                "a.action = 'decided' AND a.comment_id > %s AND NOT EXISTS ("
                "SELECT 1 FROM comments_comment c WHERE c.id = a.comment_id)",
                since,
            ),
            "comments decided more than once at posting": self.scalar(
                "SELECT count(*) FROM (SELECT comment_id FROM comments_auditentry "
                "WHERE action = 'decided' AND comment_id > %s "
                "GROUP BY comment_id HAVING count(*) > 1) AS twice",
                since,
            ),
        }
