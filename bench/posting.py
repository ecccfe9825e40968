"""
Comment posting: writers get their CSRF tokens the way a browser does, then
wrk posts through the real endpoint (bench/wrk/post.lua).

The article page is cached HTML without a token; the page's script
(static/js/comments.js) fetches the reader's uncached endpoint
(``/comments/<id>/reader/``) for a token and its cookie, and sends both with
the form. Each writer here does the same once, and keeps them.

The moderation policy of the bench database is set so that what is measured
is posting, not refusal: first-time commenters are trusted (every post is
approved and counted) and moderators are not emailed. The rate limits stay as
they are; every post comes from a new reader (email and address), as in a
busy comment section. See ``relax_policy``.
"""

import http.client
import json
import secrets
from http.cookies import SimpleCookie
from urllib.parse import urlsplit

from bench.load import Load


def relax_policy() -> dict:
    """Trust new commenters, no moderator mail; returns the policy in force."""
    from comments.models import ModerationSettings
    from comments.services import moderation_settings_save

    policy = ModerationSettings.load()
    policy.trusted_after_approved = 0
    policy.notify_moderators = False
    policy.premoderate_all = False
    moderation_settings_save(config=policy)
    return {
        "trusted_after_approved": policy.trusted_after_approved,
        "notify_moderators": policy.notify_moderators,
        "rate_short": f"{policy.rate_short_count}/{policy.rate_short_seconds}s",
        "rate_long": f"{policy.rate_long_count}/{policy.rate_long_seconds}s",
        "duplicate_window_hours": policy.duplicate_window_hours,
    }


def fetch_token(base_url: str, reader_path: str) -> tuple[str, str]:
    """(token, cookie) from the reader endpoint, as comments.js gets them."""
    parts = urlsplit(base_url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    try:
        connection.request("GET", reader_path, headers={"Accept": "application/json"})
        answer = connection.getresponse()
        payload = answer.read()
        if answer.status != 200:
            raise RuntimeError(f"{reader_path} answered {answer.status}")
        cookies = SimpleCookie()
        for header in answer.headers.get_all("Set-Cookie") or []:
            cookies.load(header)
    finally:
        connection.close()
    return json.loads(payload)["csrfToken"], cookies["csrftoken"].value


def load(
    *, base_url: str, post_path: str, reader_path: str, writers: int, duration: int
) -> Load:
    args = [post_path, secrets.token_hex(3), base_url]
    for _writer in range(writers):
        args += fetch_token(base_url, reader_path)
    return Load(
        url=base_url + post_path,
        duration=duration,
        threads=writers,
        connections=writers,
        script="post.lua",
        args=tuple(args),
    )
