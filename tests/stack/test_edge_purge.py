"""A real Varnish (deploy/varnish/default.vcl, with xkey) in front of the app:
what the services change is at the edge within a second, readers with a
session pass it, and the comment form works through it without JavaScript.

Each write runs through the services in a process of its own while the test
reads the page through Varnish every 10 ms; the latency is from the moment the
write's transaction committed to the first answer from Varnish showing the
change: both purges (page cache, then edge) and Varnish's refetch from the app.
Printed with ``-rP`` or ``-s``.
"""

import re
import time
from html.parser import HTMLParser
from urllib.parse import urlencode

import pytest

from tests.faults.services import ServiceMissing
from tests.stack.edge import EdgeStack, request

pytestmark = pytest.mark.stack

WITHIN = 1.0  # seconds, from the write to the edge
POLL_FOR = 10.0  # how long to keep looking before calling it a failure
LATENCIES: dict[str, float] = {}


@pytest.fixture(scope="module")
def stack():
    try:
        running = EdgeStack()
    except ServiceMissing as error:
        pytest.fail(str(error), pytrace=False)
    try:
        running.start()
        yield running
        assert running.server.process.poll() is None, running.server.log_tail()
        assert running.varnish.process.poll() is None, running.varnish.log_tail()
    finally:
        running.stop()
        print("purge-to-edge latencies (s):", LATENCIES)


@pytest.fixture(scope="module")
def pieces(stack):
    return stack.write("published")["articles"]


def cached_at_edge(stack, path) -> str:
    """Read ``path`` through Varnish until it is a hit; return the body."""
    for _ in range(3):
        response, body = stack.edge(path)
        if response.getheader("X-Edge") == "hit":
            return body
    raise AssertionError(f"{path} is not kept at the edge: {response.getheaders()}")


def until_edge_shows(stack, name, path, shows, action, *args) -> tuple:
    """Start a write and read ``path`` through Varnish meanwhile, until it
    ``shows`` the change; the latency is from the write's commit to that."""
    writer = stack.start_write(action, *args)
    deadline = time.monotonic() + POLL_FOR
    try:
        while True:
            response, body = stack.edge(path)
            seen = time.time()
            if shows(response, body):
                break
            assert time.monotonic() < deadline, f"{name}: not at the edge in time"
            time.sleep(0.01)
    finally:
        written = stack.finish(writer)
    latency = round(seen - written["committed"], 3)
    LATENCIES[name] = latency
    print(
        f"{name}: at the edge {latency:.3f} s after the commit "
        f"({seen - written['started']:.3f} s after the write began)"
    )
    assert 0 < latency < WITHIN, f"{name}: {latency} s"
    return response, body, written


def test_a_published_piece_is_on_the_cached_front_page_within_a_second(stack):
    headline = "Edge test: a piece published just now"
    draft = stack.write("draft", headline)
    front = cached_at_edge(stack, "/")
    assert headline not in front
    *_, written = until_edge_shows(
        stack, "published", "/", lambda _r, body: headline in body,
        "publish", draft["id"],
    )  # fmt: skip
    response, _ = stack.edge(written["url"])
    assert response.status == 200


def test_a_correction_is_at_the_edge_within_a_second(stack, pieces):
    path = pieces[1]["url"]
    text = "An earlier version of this piece misnamed the chief negotiator."
    assert text not in cached_at_edge(stack, path)
    until_edge_shows(
        stack, "corrected", path, lambda _r, body: text in body,
        "correct", pieces[1]["id"], text,
    )  # fmt: skip


def test_a_withdrawn_piece_answers_410_at_the_edge_within_a_second(stack, pieces):
    path = pieces[2]["url"]
    cached_at_edge(stack, path)
    until_edge_shows(
        stack, "withdrawn", path, lambda response, _b: response.status == 410,
        "withdraw", pieces[2]["id"],
    )  # fmt: skip
    assert cached_at_edge(stack, path) is not None  # the 410 is kept and purgeable


class CommentForm(HTMLParser):
    """The comment form's action and fields, as a browser without scripts
    would send them."""

    def __init__(self, html):
        super().__init__()
        self.action, self.fields, self._inside, self._textarea = None, {}, False, None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("id") == "comment-form":
            self._inside, self.action = True, attrs["action"]
        elif self._inside and tag == "input" and attrs.get("name"):
            if attrs.get("type") != "checkbox":
                self.fields[attrs["name"]] = attrs.get("value") or ""
        elif self._inside and tag == "textarea":
            self._textarea = attrs["name"]
            self.fields[self._textarea] = ""

    def handle_endtag(self, tag):
        if tag == "form":
            self._inside = False
        elif tag == "textarea":
            self._textarea = None


def test_the_no_js_comment_form_works_through_the_edge_and_approval_shows(
    stack, pieces
):
    path = pieces[0]["url"]
    page = cached_at_edge(stack, path)
    form = CommentForm(page)
    assert form.action and form.fields["csrfmiddlewaretoken"] == ""  # cached page
    email = "edge.reader@example.org"
    body = "Posted through Varnish, with no script and no token."
    form.fields.update(name="Edge Reader", email=email, body=body)
    origin = f"http://127.0.0.1:{stack.varnish.port}"
    answer, _ = request(
        stack.varnish.port,
        "POST",
        form.action,
        body=urlencode(form.fields),
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Origin": origin,
            "Sec-Fetch-Site": "same-origin",
        },
    )
    assert answer.status == 303, (answer.status, answer.getheaders())
    assert answer.getheader("X-Edge") == "pass"
    stored = stack.write("comment-by-email", email)
    assert stored["status"] in ("pending", "approved")
    if stored["status"] == "pending":  # a first-time commenter is held
        assert body not in cached_at_edge(stack, path)
        until_edge_shows(
            stack, "comment approved", path, lambda _r, html: body in html,
            "approve", stored["id"],
        )  # fmt: skip
    else:
        LATENCIES["comment approved"] = None
        assert body in stack.edge(path)[1]


def test_a_reader_with_a_session_passes_the_edge(stack, pieces):
    path = pieces[3]["url"]
    old = re.search(r"<h1[^>]*>(.*?)</h1>", cached_at_edge(stack, path), re.S)[1]
    stack.write("headline-without-purge", pieces[3]["id"], "Edge test: live headline")
    response, body = stack.edge(path)
    assert response.getheader("X-Edge") == "hit" and old in body
    live, body = stack.edge(path, headers={"Cookie": "sessionid=staff-reader"})
    assert live.getheader("X-Edge") == "pass"
    assert "Edge test: live headline" in body
    assert "private" in live.getheader("Cache-Control")


def test_only_localhost_may_purge_and_readers_see_no_keys(stack, pieces):
    response, _ = request(
        stack.varnish.port, "PURGE", "/", headers={"xkey-purge": "nav"},
        source="127.0.0.2",
    )  # fmt: skip
    assert response.status == 403
    response, _ = stack.edge(pieces[0]["url"])
    assert response.getheader("Surrogate-Key") is None
    assert response.getheader("Cache-Tag") is None
    origin, _ = stack.app(pieces[0]["url"])
    assert "nav" in origin.getheader("Surrogate-Key").split()
