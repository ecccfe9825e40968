"""
The site as the README's production command runs it with no REDIS_URL:
gunicorn with several sync workers, SQLite in a file, DEBUG off, a throwaway
SECRET_KEY, and the default cache (the shared disk cache in CACHE_DIR).

``Template`` prepares a database once (migrate, the demo newsroom,
collectstatic, a moderation policy a test can reason about); each ``Site``
copies it into a folder of its own with an empty cache folder, starts
gunicorn on a free loopback port and stops it at the end. Changes are made
the way a moderator's or an editor's would be, through the services, by
``manage.py shell`` in another process against the same database file and
cache folder: the purge has to travel between processes to reach a worker.

gunicorn writes an access log with each answer's worker pid, so a test can
show that its requests were spread over the workers.
"""

import json
import os
import re
import secrets
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bench.server import Gunicorn, free_port
from tests.faults.clients import Reader

PROJECT = Path(__file__).resolve().parents[2]
ARTICLE_SLUG = "uk-considers-security-treaty-with-japan-as-quasi-ally"
# What the tests measured, printed at the end of the run (conftest.py).
FIGURES: dict[str, dict] = {}
# One comment per address (or email) per minute: every post of a flood falls
# in one window, whatever the machine's load.
RATE_SECONDS = 60
# The article's comment count, as its page shows it.
COUNT = re.compile(r'<a href="#comments">(\d+) comments?</a>')

PREPARE = """
import json
from django.contrib.auth import get_user_model
from articles.models import Article
from comments.models import Comment
from comments.services import comment_set_status

article = Article.objects.get(slug=SLUG)
comment = Comment.objects.filter(article=article, status="approved").earliest("id")
moderator = get_user_model().objects.get(username="moderator")
comment_set_status(comment=comment, status="pending", actor=moderator)
other = Article.objects.published().exclude(pk=article.pk).earliest("id")
print(json.dumps({
    "article_id": article.pk,
    "article_url": article.get_absolute_url(),
    "pending_comment_id": comment.pk,
    "other_url": other.get_absolute_url(),
    "other_id": other.pk,
}))
"""

APPROVE = """
import time
from django.contrib.auth import get_user_model
from comments.models import Comment
from comments.services import comment_approve

moderator = get_user_model().objects.get(username="moderator")
comment_approve(comment=Comment.objects.get(pk=ID), actor=moderator)
print(time.time())
"""

WITHDRAW = """
import time
from django.contrib.auth import get_user_model
from articles.models import Article
from articles.services import article_withdraw

admin = get_user_model().objects.get(username="admin")
article_withdraw(article=Article.objects.get(pk=ID), user=admin, note="Takedown")
print(time.time())
"""


class Template:
    """A prepared database and static files, made once per module."""

    def __init__(self):
        self.root = Path(tempfile.mkdtemp(prefix="newsroom-stack-"))
        self.database = self.root / "template.sqlite3"
        self.static = self.root / "static"
        self.facts: dict = {}

    def env(self, *, database: Path, cache_dir: Path, settings: str) -> dict:
        return {
            **{k: v for k, v in os.environ.items() if k not in {"REDIS_URL"}},
            "DJANGO_SETTINGS_MODULE": settings,
            "PYTHONPATH": str(PROJECT),
            "DEBUG": "false",
            "SECRET_KEY": secrets.token_urlsafe(50),  # throwaway, this run only
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "false",
            "DATABASE_URL": f"sqlite:///{database}",
            "CACHE_DIR": str(cache_dir),
            "STATIC_ROOT": str(self.static),
            "MEDIA_ROOT": str(self.root / "media"),
            "COMMENTS_PROXY_COUNT": "1",
            "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
            "LOG_LEVEL": "WARNING",
        }

    def prepare(self) -> None:
        env = self.env(
            database=self.database,
            cache_dir=self.root / "template-cache",
            settings="newsroom.settings",
        )
        manage(env, "migrate", "--noinput", "-v0")
        manage(env, "seed_demo", "--force")
        manage(env, "collectstatic", "--noinput", "-v0")
        with sqlite3.connect(self.database) as connection:
            connection.execute(
                "UPDATE comments_moderationsettings SET trusted_after_approved = 0, "
                "notify_moderators = 0, rate_short_count = 1, rate_short_seconds = ?",
                [RATE_SECONDS],
            )
        self.facts = json.loads(shell(env, PREPARE.replace("SLUG", repr(ARTICLE_SLUG))))
        with sqlite3.connect(self.database) as connection:
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def remove(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


def manage(env: dict, *args: str, timeout: float = 300) -> str:
    done = subprocess.run(
        [sys.executable, str(PROJECT / "manage.py"), *args],
        env=env,
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{done.stderr}")
    return done.stdout


def shell(env: dict, code: str) -> str:
    return manage(env, "shell", "-c", code).strip().splitlines()[-1]


class Site:
    """One gunicorn on a copy of the template, with a cache of its own."""

    def __init__(self, template: Template, *, workers: int, settings: str):
        self.template = template
        self.workers = workers
        self.root = Path(tempfile.mkdtemp(prefix="newsroom-site-", dir=template.root))
        database = self.root / "db.sqlite3"
        shutil.copyfile(template.database, database)
        self.port = free_port()
        self.env = template.env(
            database=database, cache_dir=self.root / "cache", settings=settings
        )
        self.env["SITE_URL"] = f"http://127.0.0.1:{self.port}"
        self.access_log = self.root / "access.log"
        self.server = Gunicorn(
            port=self.port,
            workers=workers,
            env=self.env,
            log_path=self.root / "gunicorn.log",
            options=(
                f"--access-logfile={self.access_log}",
                "--access-logformat=%(p)s %(m)s %(U)s %(s)s",
            ),
        )

    def __enter__(self) -> "Site":
        self.server.start()
        self.server.wait_ready("/", timeout=90)
        return self

    def __exit__(self, *exc) -> None:
        self.server.stop()

    @property
    def facts(self) -> dict:
        return self.template.facts

    def reader(self) -> Reader:
        return Reader(port=self.port, article_id=self.facts["article_id"])

    def approve_pending_comment(self) -> float:
        """Approve the demo's held comment; when it committed (time.time())."""
        code = APPROVE.replace("ID", str(self.facts["pending_comment_id"]))
        return float(shell(self.env, code))

    def withdraw_other_piece(self) -> float:
        code = WITHDRAW.replace("ID", str(self.facts["other_id"]))
        return float(shell(self.env, code))

    def pids_serving(self, path: str) -> set[str]:
        """The worker pids that answered GET ``path`` (from the access log)."""
        lines = self.access_log.read_text().splitlines()
        return {line.split()[0] for line in lines if line.split()[1:3] == ["GET", path]}


def shown_count(html: str) -> int:
    """The comment count an article page shows."""
    return int(COUNT.search(html).group(1))


def fan_out(task, count: int, threads: int = 8) -> list:
    """Run ``task(n)`` for n in range(count) on ``threads`` threads."""
    with ThreadPoolExecutor(max_workers=threads) as pool:
        return list(pool.map(task, range(count)))


def timed_reads(site: Site, path: str, count: int) -> list[tuple[float, int, str]]:
    """``count`` anonymous reads of ``path``, spread over the workers:
    (when each started, time.time(); its status; its body)."""

    def read(_):
        started = time.time()
        answer, html = site.reader().read_page("page", path)
        return started, answer.status, html

    return fan_out(read, count)
