"""
Readers for the fault tests: each one a browser with its own cookies.

A reader fetches its CSRF token the way the article page's script does (the
uncached reader endpoint, see comments/views.py ``reader_state``), then posts
through the real endpoint with the token, its cookie and the same-origin
headers a browser sends. Every answer is recorded with when it started and
ended, so a test can line answers up against an outage.

One new connection per request, as gunicorn's sync workers close each one.
"""

import http.client
import json
import re
import time
from dataclasses import dataclass
from http.cookies import SimpleCookie
from urllib.parse import urlencode

TIMEOUT = 15  # seconds; any answer slower than this is a hang, and a failure
COMMENT_ANCHOR = re.compile(r"#comment-(\d+)$")


@dataclass(frozen=True)
class Answer:
    kind: str  # "post", or what page was read
    status: int  # 0: no HTTP answer at all (refused, reset, timed out)
    started: float  # time.monotonic()
    ended: float
    email: str = ""
    comment_id: int | None = None
    error: str = ""
    cache: str = ""  # the X-Page-Cache header: "hit", "miss" or ""

    @property
    def accepted(self) -> bool:
        return self.kind == "post" and self.status == 303

    @property
    def ok(self) -> bool:
        return self.status in (200, 303)

    @property
    def seconds(self) -> float:
        return self.ended - self.started


class Reader:
    def __init__(self, *, port: int, article_id: int):
        self.port = port
        self.article_id = article_id
        self.origin = f"http://127.0.0.1:{port}"
        self.cookies: dict[str, str] = {}
        self.token = ""

    def _request(self, method: str, path: str, body: str = "", headers=None):
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=TIMEOUT)
        try:
            connection.request(method, path, body=body or None, headers=headers)
            response = connection.getresponse()
            payload = response.read()
        finally:
            connection.close()
        jar = SimpleCookie()
        for header in response.headers.get_all("Set-Cookie") or []:
            jar.load(header)
        self.cookies.update({name: morsel.value for name, morsel in jar.items()})
        return response, payload

    def _timed(self, kind: str, method: str, path: str, **kwargs):
        started = time.monotonic()
        try:
            response, payload = self._request(method, path, **kwargs)
        except (OSError, http.client.HTTPException) as error:
            return Answer(
                kind, 0, started, time.monotonic(), error=error.__class__.__name__
            ), None
        answer = Answer(
            kind,
            response.status,
            started,
            time.monotonic(),
            cache=response.headers.get("X-Page-Cache", ""),
        )
        return answer, (response, payload)

    def get(self, kind: str, path: str) -> Answer:
        return self._timed(kind, "GET", path)[0]

    def read_page(self, kind: str, path: str) -> tuple[Answer, str]:
        answer, result = self._timed(kind, "GET", path)
        return answer, (result[1].decode() if result else "")

    def fetch_token(self) -> Answer:
        """Ask the reader endpoint for a token, as comments.js does."""
        answer, result = self._timed(
            "reader",
            "GET",
            f"/comments/{self.article_id}/reader/",
            headers={"Accept": "application/json"},
        )
        if answer.status == 200:
            self.token = json.loads(result[1])["csrfToken"]
        return answer

    def post_comment(
        self, *, email: str, name: str, body: str, ip: str, honeypot: str = ""
    ) -> Answer:
        if not self.token and self.fetch_token().status != 200:
            now = time.monotonic()
            return Answer("post", 0, now, now, email=email, error="no CSRF token")
        form = {
            "name": name,
            "email": email,
            "body": body,
            "parent": "",
            "website": honeypot,
            "js": "1",
            "csrfmiddlewaretoken": self.token,
        }
        answer, result = self._timed(
            "post",
            "POST",
            f"/comments/{self.article_id}/post/",
            body=urlencode(form),
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Origin": self.origin,
                "Sec-Fetch-Site": "same-origin",
                # Behind one proxy (COMMENTS_PROXY_COUNT=1): this is the reader.
                "X-Forwarded-For": ip,
            },
        )
        comment_id = None
        if answer.status == 303:
            found = COMMENT_ANCHOR.search(result[0].headers.get("Location", ""))
            comment_id = int(found.group(1)) if found else None
        return Answer(
            "post",
            answer.status,
            answer.started,
            answer.ended,
            email=email,
            comment_id=comment_id,
            error=answer.error,
        )
