"""With DEBUG off and the production variables set, the deploy check is clean.

Each test starts a fresh Python with exactly the environment a production
server would have (docs/deploy.md, "Production"), so the settings module is read the
way it is read there, not as the test settings left it.
"""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# What the test run itself may have set, which production would not.
LEAKY = {
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "CSRF_TRUSTED_ORIGINS",
    "SITE_URL",
    "DATABASE_URL",
    "REDIS_URL",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SESSION_HOURS",
    "SESSION_EXPIRE_AT_BROWSER_CLOSE",
    "DJANGO_SETTINGS_MODULE",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
}


def production_env(**overrides: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in LEAKY}
    env |= {
        "DJANGO_SETTINGS_MODULE": "newsroom.settings",
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "news.example.com",
        "CSRF_TRUSTED_ORIGINS": "https://news.example.com",
        "SITE_URL": "https://news.example.com",
        "DATABASE_URL": "postgres://newsroom:secret@127.0.0.1:5432/newsroom",
        "REDIS_URL": "redis://127.0.0.1:6379/0",
    }
    return env | overrides


def deploy_check(**overrides: str) -> subprocess.CompletedProcess:
    # --fail-level DEBUG: any message at all, not only errors, fails the check.
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "DEBUG"],
        cwd=ROOT,
        env=production_env(**overrides),
        capture_output=True,
        text=True,
        timeout=120,
    )


def production_settings(*names: str, **overrides: str) -> dict:
    code = (
        "import json, django; django.setup(); from django.conf import settings; "
        f"print(json.dumps({{n: getattr(settings, n) for n in {list(names)!r}}}, "
        "default=str))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=production_env(**overrides),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_the_deploy_check_reports_no_issue_with_production_variables():
    result = deploy_check()

    assert result.returncode == 0, result.stdout + result.stderr
    # Nothing at all is reported; the one silenced check is the stated one.
    assert result.stdout.strip() == "System check identified no issues (1 silenced)."
    assert "WARNING" not in result.stderr and "ERROR" not in result.stderr


def test_only_the_ckeditor_version_warning_is_silenced():
    """CKEditor 4's out-of-support notice is silenced for the reason given in
    settings (nothing it produces is trusted); no deploy warning is."""
    found = production_settings("SILENCED_SYSTEM_CHECKS")

    assert found["SILENCED_SYSTEM_CHECKS"] == ["ckeditor.W001"]


@pytest.mark.parametrize(
    ("variable", "value", "warning"),
    [
        ("SECURE_HSTS_SECONDS", "0", "security.W004"),
        ("SECURE_SSL_REDIRECT", "false", "security.W008"),
        ("SECURE_HSTS_INCLUDE_SUBDOMAINS", "false", "security.W005"),
    ],
)
def test_the_check_would_catch_a_weakened_setting(variable, value, warning):
    """The clean result above means something: turning one protection off
    makes the same command fail, naming the check."""
    result = deploy_check(**{variable: value})

    assert result.returncode != 0
    assert warning in result.stdout + result.stderr


def test_production_values_of_the_security_settings():
    found = production_settings(
        "SECURE_PROXY_SSL_HEADER",
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "SESSION_COOKIE_SECURE",
        "SESSION_COOKIE_HTTPONLY",
        "CSRF_COOKIE_SECURE",
        "CSRF_COOKIE_HTTPONLY",
        "SECURE_CONTENT_TYPE_NOSNIFF",
        "SECURE_REFERRER_POLICY",
        "SECURE_CROSS_ORIGIN_OPENER_POLICY",
        "X_FRAME_OPTIONS",
        "SESSION_COOKIE_AGE",
        "SESSION_EXPIRE_AT_BROWSER_CLOSE",
        "DEBUG",
    )

    assert found == {
        "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"],
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 30 * 24 * 60 * 60,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SESSION_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "CSRF_COOKIE_SECURE": True,
        "CSRF_COOKIE_HTTPONLY": True,
        "SECURE_CONTENT_TYPE_NOSNIFF": True,
        "SECURE_REFERRER_POLICY": "strict-origin-when-cross-origin",
        "SECURE_CROSS_ORIGIN_OPENER_POLICY": "same-origin",
        "X_FRAME_OPTIONS": "DENY",
        "SESSION_COOKIE_AGE": 10 * 60 * 60,
        "SESSION_EXPIRE_AT_BROWSER_CLOSE": True,
        "DEBUG": False,
    }


def test_a_short_secret_key_is_reported():
    result = deploy_check(SECRET_KEY="too-short")

    assert result.returncode != 0
    assert "security.W009" in result.stdout + result.stderr


def test_a_postgresql_connection_attempt_gives_up_after_a_few_seconds():
    # Without it a silent database host holds workers and /readyz for minutes.
    default = production_settings("DATABASES")["DATABASES"]["default"]
    assert default["OPTIONS"]["connect_timeout"] == 5

    tuned = production_settings("DATABASES", DB_CONNECT_TIMEOUT="2")
    assert tuned["DATABASES"]["default"]["OPTIONS"]["connect_timeout"] == 2


def test_a_sqlite_database_gets_no_postgresql_options():
    found = production_settings("DATABASES", DATABASE_URL="sqlite:////tmp/x.sqlite3")
    assert "connect_timeout" not in found["DATABASES"]["default"]["OPTIONS"]
