"""
The Wagtail peer (bench/peer/, see its README): the same article served by a
plain Wagtail site, measured in the same run as the project's.

``make bench-peer`` builds its virtual environment (bench/peer/.venv) from
bench/peer/requirements.txt; ``make bench`` depends on it. This module, run in
the project's own environment, hands the peer the bench article's text
(headline, dek, byline as the project prints it, body), has the peer's own
Python migrate its SQLite file, store the page and collect its static files,
and describes the gunicorn that serves it. Whatever goes wrong, it says why in
one sentence (``PeerError``) and the run goes on without the peer.
"""

import json
import os
import secrets
import subprocess
from dataclasses import dataclass
from pathlib import Path

from bench.server import Gunicorn

PEER_DIR = Path(__file__).resolve().parent / "peer"
VENV = PEER_DIR / ".venv"
# Written by `make bench-peer` once the requirements are installed, and the
# reason when they could not be.
STAMP = VENV / ".installed"
FAILED = PEER_DIR / ".install-failed"
ARTICLE_JSON = PEER_DIR / ".article.json"
WAGTAIL_VERSION = "import wagtail; print(wagtail.__version__)"


class PeerError(RuntimeError):
    """The peer cannot be measured in this run; the message says why."""


@dataclass(frozen=True)
class Peer:
    path: str  # the article's address on the peer
    queries: int  # SQL queries of one anonymous request to it
    status: int
    version: str  # "Wagtail 8.0.1"
    server: Gunicorn


def article_text() -> dict:
    """The article ``make bench`` measures, as the peer stores it: the text a
    reader sees on the project's page (the byline as the page prints it)."""
    from django.template.loader import render_to_string
    from django.utils.html import strip_tags

    from articles.models import Article
    from core.seeding.bench import PREFIX, SAMPLE_INDEX

    article = (
        Article.objects.published()
        .prefetch_related("bylines__author")
        .get(slug__startswith=f"{PREFIX}{SAMPLE_INDEX}-")
    )
    byline = render_to_string("includes/byline.html", {"article": article})
    return {
        "headline": article.headline,
        "dek": article.dek,
        "byline": " ".join(strip_tags(byline).split()),
        "body": article.body,
        "slug": article.slug,
        "published_at": article.publish_at.isoformat(),
    }


def _environment(static_root: Path) -> dict[str, str]:
    """The peer's own variables: none of the project's (its settings,
    database or cache) reach it."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "DJANGO_SETTINGS_MODULE": "peersite.settings",
        "PEER_SECRET_KEY": secrets.token_urlsafe(50),
        "PEER_STATIC_ROOT": str(static_root),
        "PYTHONDONTWRITEBYTECODE": "1",
    }


def _manage(env: dict, *args: str, timeout: int = 600) -> str:
    finished = subprocess.run(
        [str(VENV / "bin" / "python"), "manage.py", *args],
        cwd=PEER_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if finished.returncode:
        tail = (finished.stderr or finished.stdout).strip().splitlines()[-3:]
        raise PeerError(f"manage.py {args[0]} failed: {' / '.join(tail)}")
    return finished.stdout


def prepare(*, text: dict, workers: int, port: int, tmp: Path) -> Peer:
    """Migrate the peer's database, store the article, collect static files;
    return the server to start (not started). Raises ``PeerError``."""
    if not STAMP.exists():
        why = FAILED.read_text().strip() if FAILED.exists() else ""
        raise PeerError(
            "its environment bench/peer/.venv is not installed"
            + (f" ({why})" if why else "; run `make bench-peer` and read its output")
        )
    env = _environment(tmp / "peer-static")
    try:
        version = subprocess.run(
            [str(VENV / "bin" / "python"), "-c", WAGTAIL_VERSION],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        ).stdout.strip()
        _manage(env, "migrate", "--noinput", "-v0")
        _manage(env, "collectstatic", "--noinput", "-v0")  # the page names its CSS
        ARTICLE_JSON.write_text(json.dumps(text, ensure_ascii=False))
        stored = json.loads(_manage(env, "peer_article", str(ARTICLE_JSON)).strip())
    except (OSError, ValueError, subprocess.SubprocessError) as error:
        raise PeerError(f"{error.__class__.__name__}: {error}") from error
    if stored["status"] != 200:
        raise PeerError(f"its article answers {stored['status']}, not 200")
    server = Gunicorn(
        port=port,
        workers=workers,
        env=env,
        log_path=tmp / "peer-gunicorn.log",
        app="peersite.wsgi",
        venv=VENV,
        cwd=PEER_DIR,
    )
    return Peer(
        path=stored["path"],
        queries=stored["queries"],
        status=stored["status"],
        version=f"Wagtail {version}",
        server=server,
    )


def loudly(message: str) -> str:
    """A banner no one scrolling past the run can miss."""
    bar = "!" * 72
    return f"\n{bar}\n!! WAGTAIL PEER NOT MEASURED: {message}\n!! {_CARRY_ON}\n{bar}\n"


_CARRY_ON = (
    "The run goes on without it; the headline figure (article uncached over the "
    "peer) is missing."
)
