"""The Content-Security-Policy holds in Chromium: nothing the pages need is refused.

Every frame records the browser's ``securitypolicyviolation`` events, and the
console is watched for the "Refused to …" errors Chromium prints for frames the
recorder cannot reach (CKEditor writes its editing area into a blank frame).
The article page (with its video and comments, served from the page cache as
readers get it), the front page and the admin change form with CKEditor at work
must produce none. One test injects an inline script on purpose, to show the
recorder sees a violation when there is one.
"""

import io
import re

import pytest
from django.core.management import call_command
from PIL import Image
from playwright.sync_api import Page, expect

from articles.models import Article
from tests.e2e.test_editor_flow import PASSWORD, log_in
from tests.factories import UserFactory

REFERENCE_SLUG = "uk-considers-security-treaty-with-japan-as-quasi-ally"
VIDEO_HOSTS = ("youtube", "ytimg", "vimeo", "googlevideo")

RECORDER = """
(() => {
  const seen = [];
  Object.defineProperty(window, "__cspViolations", {value: seen});
  document.addEventListener("securitypolicyviolation", (event) => {
    seen.push(`${event.effectiveDirective} blocked ${event.blockedURI || "inline"}`
      + ` at ${event.sourceFile}:${event.lineNumber} (${event.sample})`);
  });
})();
"""


class Probe:
    """What one page's frames reported: violations, CSP console errors,
    uncaught script errors."""

    def __init__(self, page: Page):
        self.page = page
        self.console: list[str] = []
        self.errors: list[str] = []
        page.add_init_script(RECORDER)
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.errors.append(str(error)))

    def _console(self, message) -> None:
        if message.type == "error" and (
            "Content Security Policy" in message.text or "Refused to" in message.text
        ):
            self.console.append(message.text)

    def violations(self) -> list[str]:
        found = list(self.console) + list(self.errors)
        for frame in self.page.frames:
            try:
                found += frame.evaluate("window.__cspViolations || []")
            except Exception:  # a cross-origin frame (the stubbed video player)
                continue
        return found


@pytest.fixture
def demo(_groups):
    call_command("seed_demo", force=True, stdout=io.StringIO())
    return Article.objects.get(slug=REFERENCE_SLUG)


@pytest.fixture
def probe(page):
    # Never let a request leave this machine: the video provider is stubbed.
    page.route(
        lambda url: any(host in url for host in VIDEO_HOSTS),
        lambda route: route.fulfill(
            status=200, content_type="text/html", body="<p>player</p>"
        ),
    )
    return Probe(page)


def test_the_recorder_sees_a_violation_when_there_is_one(page, probe, demo):
    page.goto("/")
    page.evaluate(
        "() => { const s = document.createElement('script');"
        " s.textContent = 'window.injected = true'; document.body.append(s); }"
    )

    expect(page.locator("body")).to_be_visible()
    assert page.evaluate("window.injected === undefined")
    assert any("script-src" in violation for violation in probe.violations())


def test_front_page_has_no_violation(page, probe, demo):
    page.goto("/")
    expect(page.locator(".site-name")).to_be_visible()
    page.wait_for_load_state("networkidle")

    assert probe.violations() == []


def test_article_page_with_video_and_comments_has_no_violation(page, probe, demo):
    url = demo.get_absolute_url()
    page.goto(url)
    # The second visit is the page cache's copy, headers included.
    response = page.goto(url)
    assert response.headers.get("x-page-cache") == "hit"
    assert "unsafe-inline" not in response.headers["content-security-policy"]

    expect(page.locator(".comment").first).to_be_visible()
    page.locator(".video-poster").click()
    expect(page.locator("iframe.video-frame")).to_have_attribute(
        "src", re.compile(r"^https://www\.youtube-nocookie\.com/embed/")
    )

    form = page.locator("form.comment-form").first
    form.get_by_label("Name", exact=True).fill("Ada Reader")
    form.get_by_role("textbox", name="Email").fill("ada@example.org")
    form.get_by_label(re.compile("Comment")).fill("A calm, on-topic reply.")
    form.get_by_role("button", name=re.compile("Post", re.I)).click()
    expect(page.get_by_text("A calm, on-topic reply.")).to_be_visible()
    page.wait_for_load_state("networkidle")

    assert probe.violations() == []


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (30, 90, 160)).save(buffer, "PNG")
    return buffer.getvalue()


def test_admin_change_form_with_ckeditor_has_no_violation(page, probe, demo):
    UserFactory(username="csp-editor", is_superuser=True, password=PASSWORD)
    log_in(page, "csp-editor")

    page.goto(f"/admin/articles/article/{demo.pk}/change/")
    body = page.frame_locator("iframe.cke_wysiwyg_frame").locator("body")
    expect(body).to_contain_text("objective")
    body.click()
    page.keyboard.press("Control+End")
    page.keyboard.type(" Typed under the policy.")
    expect(body).to_contain_text("Typed under the policy.")

    # A toolbar panel (a frame of its own) and the image dialog with an upload.
    page.locator(".cke_combo__format .cke_combo_button").click()
    expect(
        page.frame_locator("iframe.cke_panel_frame").get_by_title("Heading 2")
    ).to_be_visible()
    page.keyboard.press("Escape")
    page.locator(".cke_button__image").click()
    dialog = page.locator(".cke_dialog")
    expect(dialog).to_be_visible()
    dialog.get_by_role("tab", name="Upload").click()
    upload_frame = page.frame_locator("iframe.cke_dialog_ui_input_file")
    upload_frame.locator("input[type=file]").set_input_files(
        {"name": "chart.png", "mimeType": "image/png", "buffer": png_bytes()}
    )
    dialog.locator("a.cke_dialog_ui_fileButton").click()
    url_field = dialog.locator("input.cke_dialog_ui_input_text").first
    expect(url_field).to_have_value(re.compile(r"/media/uploads/.+\.png$"))
    dialog.locator("a.cke_dialog_ui_button_ok").click()
    expect(body.locator("img")).to_have_count(1)

    page.locator("input[name=_continue]").first.click()
    expect(page.locator(".messagelist .success")).to_be_visible()
    page.wait_for_load_state("networkidle")

    assert probe.violations() == []


def test_two_factor_set_up_page_has_no_violation(page, probe):
    UserFactory(username="csp-desk", password=PASSWORD)
    log_in(page, "csp-desk")

    page.get_by_role("link", name="Two-factor sign-in").click()
    qr = page.get_by_role("img", name="QR code with your account key")
    expect(qr).to_be_visible()
    page.wait_for_load_state("networkidle")

    assert qr.evaluate("image => image.naturalWidth") > 0
    assert probe.violations() == []
