"""
A member of staff's browser for the stack tests: one cookie jar, any server.

Cookies belong to a host, not a port, so a browser that signed in through one
app server sends the same session and CSRF cookies to every other: exactly
what a balancer does to a real browser. Each request names the server it goes
to (an app server's port, or the balancer's) and carries the Origin a browser
would send there, and the reader's address as the CDN and HAProxy pass it on.
"""

import http.client
import re
from http.cookies import SimpleCookie
from urllib.parse import urlencode

from tests.stack.cluster import forwarded_for

TIMEOUT = 15
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class Page:
    def __init__(self, status: int, headers, body: bytes):
        self.status, self.headers, self.body = status, headers, body
        self.text = body.decode(errors="replace")

    @property
    def csrf_token(self) -> str:
        found = CSRF_FIELD.search(self.text)
        assert found, f"no CSRF field in the page ({self.status})"
        return found.group(1)

    @property
    def location(self) -> str:
        return self.headers.get("Location", "")


class Browser:
    def __init__(self, *, ip: str):
        self.ip = ip
        self.cookies: dict[str, str] = {}

    def request(self, port: int, method: str, path: str, form=None) -> Page:
        headers = {"X-Forwarded-For": forwarded_for(self.ip)}
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = f"http://127.0.0.1:{port}"
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            page = Page(response.status, response.headers, response.read())
        finally:
            connection.close()
        jar = SimpleCookie()
        for header in page.headers.get_all("Set-Cookie") or []:
            jar.load(header)
        for name, morsel in jar.items():
            if morsel.value and morsel["max-age"] != "0":
                self.cookies[name] = morsel.value
            else:
                self.cookies.pop(name, None)
        return page

    def get(self, port: int, path: str) -> Page:
        return self.request(port, "GET", path)

    def post(self, port: int, path: str, form: dict) -> Page:
        return self.request(port, "POST", path, form)

    def log_in(self, port: int, username: str, password: str, code: str = "") -> Page:
        form_page = self.get(port, "/admin/login/?next=/admin/")
        return self.post(
            port,
            "/admin/login/?next=/admin/",
            {
                "csrfmiddlewaretoken": form_page.csrf_token,
                "username": username,
                "password": password,
                "otp_token": code,
                "next": "/admin/",
            },
        )
