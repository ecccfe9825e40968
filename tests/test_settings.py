"""Settings come from the environment and fail loudly when they must."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


OURS = {"DEBUG", "SECRET_KEY", "DATABASE_URL", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}


def clean_env(**env: str) -> dict[str, str]:
    """The caller's environment without the variables these tests set."""
    clean = {key: value for key, value in os.environ.items() if key not in OURS}
    return clean | {"DJANGO_SETTINGS_MODULE": "newsroom.settings", **env}


def run_django(code: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT,
        env=clean_env(**env),
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_without_debug_a_missing_secret_key_names_the_variable():
    result = run_django("print('started')", DEBUG="false")

    assert result.returncode != 0
    assert "SECRET_KEY is not set. Set the SECRET_KEY environment variable" in (
        result.stderr
    )


def test_a_malformed_boolean_is_refused_with_its_name():
    result = run_django("", DEBUG="maybe")

    assert "DEBUG must be true or false, not 'maybe'" in result.stderr


def test_production_settings_pass_the_deploy_check():
    env = {
        "DEBUG": "false",
        "SECRET_KEY": "x" * 60 + "-a-long-and-random-enough-production-key",
        "ALLOWED_HOSTS": "news.example.com",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=clean_env(**env),
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 0, result.stdout + result.stderr


def test_sqlite_waits_for_writers_in_wal_mode_and_keeps_its_connections(tmp_path):
    code = (
        "from django.db import connection; c = connection.cursor(); "
        "c.execute('PRAGMA journal_mode'); print(c.fetchone()[0]); "
        "c.execute('PRAGMA busy_timeout'); print(c.fetchone()[0]); "
        "print(connection.transaction_mode); "
        "print(connection.settings_dict['CONN_MAX_AGE'])"
    )
    result = run_django(
        code, DEBUG="true", DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}"
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["wal", "20000", "IMMEDIATE", "60"]


def test_redis_url_selects_redis_and_without_it_the_shared_disk_cache(tmp_path):
    code = (
        "from django.conf import settings; c = settings.CACHES['default']; "
        "print(c['BACKEND'], c['LOCATION'])"
    )

    with_redis = run_django(code, DEBUG="true", REDIS_URL="redis://127.0.0.1:6379/15")
    without = run_django(code, DEBUG="true", CACHE_DIR=str(tmp_path / "cache"))

    assert with_redis.stdout.split() == [
        "caching.backend.ResilientRedisCache",
        "redis://127.0.0.1:6379/15",
    ]
    assert without.stdout.split() == [
        "caching.disk.SharedDiskCache",
        str(tmp_path / "cache"),
    ]


def test_the_redis_mirror_is_bounded_by_its_variables_and_refuses_nonsense():
    code = (
        "from django.conf import settings; "
        "print(sorted(settings.CACHES['default']['MIRROR'].items()))"
    )
    url = "redis://127.0.0.1:6379/15"

    default = run_django(code, DEBUG="true", REDIS_URL=url)
    chosen = run_django(
        code,
        DEBUG="true",
        REDIS_URL=url,
        REDIS_MIRROR_SECONDS="0",
        REDIS_MIRROR_ENTRIES="10",
        REDIS_MIRROR_MB="2",
    )
    bad = run_django(code, DEBUG="true", REDIS_URL=url, REDIS_MIRROR_MB="lots")

    assert default.stdout.strip() == (
        "[('entries', 512), ('seconds', 0.25), ('size', 16777216)]"
    )
    assert chosen.stdout.strip() == (
        "[('entries', 10), ('seconds', 0.0), ('size', 2097152)]"
    )
    assert "REDIS_MIRROR_MB must be a whole number, not 'lots'" in bad.stderr


def test_manage_py_says_what_is_missing_in_one_line():
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=clean_env(DEBUG="false"),
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 1
    assert result.stderr.startswith("Configuration error: SECRET_KEY is not set.")
    assert "Traceback" not in result.stderr
