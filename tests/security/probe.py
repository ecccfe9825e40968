"""Load pages in Chromium and record any script a payload manages to run.

Three independent signals, so one blind spot does not hide an execution:

1. ``probe.js``, added to every frame before the page's scripts: it hooks
   alert/confirm/prompt/print and listens for Content-Security-Policy
   violations; Playwright's ``dialog`` event catches a dialog from anywhere
   the hook is not installed.
2. :func:`report_only_policy`: while the probe runs, the live server's
   responses lose the site's enforced policy (the test measures escaping and
   sanitising, not CSP) and carry a report-only policy that allows scripts
   only from our static files and the admin's translation catalogue (and
   the probe's frames may show our pages: no X-Frame-Options for them). Any
   inline script, event handler or ``javascript:`` URL that runs, and any
   eval, is reported to the page as a violation event.
3. After load, ``fire()`` dispatches focus, mouse, load/error and other
   events on every element, and ``report()`` audits the DOM for anything that
   could run script.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from html import escape
from pathlib import Path

from playwright.sync_api import Error as PlaywrightError

PROBE_JS = Path(__file__).with_name("probe.js").read_text(encoding="utf-8")
ENFORCED = "Content-Security-Policy"
REPORT_ONLY = "Content-Security-Policy-Report-Only"
HARNESS_PATH = "/__xss-probe-frames__/"
SWEEP_JS = """([step, skip]) => {
  const windows = [];
  const walk = (win) => {
    windows.push(win);
    for (let index = 0; index < win.frames.length; index++) {
      walk(win.frames[index]);
    }
  };
  walk(window);
  const mine = windows.slice(skip);
  const address = (win) => {
    try {
      return win.location.href;
    } catch (error) {
      return "a frame from another origin";
    }
  };
  const probe = (win) => {
    try {
      return win.__xss || null;
    } catch (error) {
      return null;
    }
  };
  if (step === "fire") {
    const unprobed = [];
    for (const win of mine) {
      const found = probe(win);
      if (found) {
        found.fire();
      } else {
        unprobed.push(address(win));
      }
    }
    return { windows: mine.length, unprobed };
  }
  const found = [];
  for (const win of mine) {
    const state = probe(win);
    if (state) {
      found[found.length] = { url: address(win), ...state.report() };
    }
  }
  return found;
}"""
# After the events are fired: violation events and timers a payload queued
# land in later tasks.
SETTLE_MS = 40


def _policy(host: str, static_url: str) -> str:
    origin = f"http://{host}"
    return (
        f"script-src {origin}{static_url} {origin}/admin/jsi18n/; "
        "script-src-attr 'none'; object-src 'none'; base-uri 'none'; "
        "form-action 'self'"
    )


@contextmanager
def report_only_policy(live_server, static_url: str) -> Iterator[None]:
    """Wrap the live server's WSGI application for the probe, then unwrap it."""
    httpd = live_server.thread.httpd
    app = httpd.get_app()

    def probed(environ, start_response):
        policy = _policy(environ.get("HTTP_HOST", ""), static_url)
        dropped = {ENFORCED.lower(), REPORT_ONLY.lower()}
        if environ.get("HTTP_SEC_FETCH_DEST") == "iframe":
            # The probe's own frames (Probe.visit_many) on our own origin.
            dropped.add("x-frame-options")

        def start(status, headers, exc_info=None):
            kept = [
                (name, value) for name, value in headers if name.lower() not in dropped
            ]
            return start_response(status, [*kept, (REPORT_ONLY, policy)], exc_info)

        return app(environ, start)

    httpd.set_app(probed)
    try:
        yield
    finally:
        httpd.set_app(app)


@dataclass
class Probe:
    """Visits pages in one browser tab and keeps what it found."""

    page: object
    pages: int = 0
    executions: list[dict] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    navigations: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def __post_init__(self):
        self.page.add_init_script(PROBE_JS)
        self.page.on("dialog", self._dialog)
        self.page.context.on(
            "page", lambda other: self.navigations.append(f"new tab {other.url}")
        )
        self._frames_html = ""
        self.page.on("response", self._response)
        self.page.route(f"**{HARNESS_PATH}", self._serve_harness)

    def _dialog(self, dialog):
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def _response(self, response):
        if response.request.resource_type == "document" and response.status != 200:
            self.problems.append(f"{response.url} answered {response.status}")

    def _serve_harness(self, route):
        route.fulfill(
            status=200,
            content_type="text/html; charset=utf-8",
            body=f"<!doctype html><title>probe</title>{self._frames_html}",
        )

    def visit(self, url: str) -> None:
        """Load one page and probe it."""
        started = time.perf_counter()
        response = self.page.goto(url, wait_until="load")
        assert response is not None and response.status == 200, (
            f"{url} answered {response and response.status}"
        )
        assert REPORT_ONLY.lower() in response.headers, f"{url}: no probe policy"
        self._sweep(expected=[url])
        self.pages += 1
        self.seconds += time.perf_counter() - started

    def visit_html(self, html: str, *, host: str, static_url: str) -> None:
        """Probe a page we write ourselves (the probe's own check)."""
        path = "/__xss-probe-check__/"

        def serve(route):
            route.fulfill(
                status=200,
                content_type="text/html; charset=utf-8",
                headers={REPORT_ONLY: _policy(host, static_url)},
                body=html,
            )

        self.page.route(f"**{path}", serve)
        self.page.goto(path, wait_until="load")
        self._sweep(expected=[path])
        self.pages += 1

    def visit_many(self, urls: list[str]) -> None:
        """Load several light pages at once, each in a frame of one tab."""
        started = time.perf_counter()
        self._frames_html = "".join(
            f'<iframe src="{escape(url)}" width="400" height="300"></iframe>'
            for url in urls
        )
        self.page.goto(HARNESS_PATH, wait_until="load")
        self._sweep(expected=urls, harness=True)
        self.pages += len(urls)
        self.seconds += time.perf_counter() - started

    def _sweep(self, *, expected: list[str], harness: bool = False) -> None:
        # One call into the page for all its frames (ours are same-origin):
        # fire the events everywhere, let queued work land, then collect.
        skip = 1 if harness else 0  # the harness page itself holds the frames
        try:
            fired = self.page.evaluate(SWEEP_JS, ["fire", skip])
            self.page.wait_for_timeout(SETTLE_MS)
            reports = self.page.evaluate(SWEEP_JS, ["report", skip])
        except PlaywrightError as error:
            # Script that ran can also break the probe (overwrite builtins,
            # replace the document): that counts as an execution.
            hit = {"kind": "probe broken", "detail": str(error)[:300]}
            self.executions.append({**hit, "url": self.page.url})
            return
        if harness:
            assert fired["windows"] == len(expected), (
                f"{fired['windows']} of {len(expected)} frames loaded"
            )
        self.problems += [
            f"{address}: the probe is not installed"
            for address in fired["unprobed"]
            if harness or address != "about:blank"
        ]
        for found in reports:
            self.executions += found["hits"]
            self.problems += [f"{found['url']}: {text}" for text in found["problems"]]
        if not harness:
            address = self.page.url.split("#")[0]
            if not address.endswith(expected[0].split("#")[0]):
                self.navigations.append(f"{expected[0]} -> {self.page.url}")

    def summary(self) -> str:
        lines = [f"{self.pages} pages in {self.seconds:.1f} s"]
        lines += [f"executed: {hit}" for hit in self.executions[:20]]
        lines += [f"dialog: {text}" for text in self.dialogs[:20]]
        lines += [f"navigated: {text}" for text in self.navigations[:20]]
        lines += [f"in the DOM: {text}" for text in self.problems[:40]]
        return "\n".join(lines)

    @property
    def clean(self) -> bool:
        found = self.executions, self.dialogs, self.navigations, self.problems
        return not any(found)
