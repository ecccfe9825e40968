"""The reader's site in a real browser: accessibility, the video, screenshots."""

import os
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command
from playwright.sync_api import Page, expect

from articles.models import Article

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
REFERENCE_SLUG = "uk-considers-security-treaty-with-japan-as-quasi-ally"
VIDEO_HOSTS = ("youtube", "ytimg", "vimeo", "googlevideo")


@pytest.fixture
def demo(_groups):
    call_command("seed_demo", force=True, stdout=open("/dev/null", "w"))
    return Article.objects.get(slug=REFERENCE_SLUG)


def serious_violations(page: Page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{violation['id']} ({violation['impact']}): "
        + ", ".join(str(node["target"]) for node in violation["nodes"])
        for violation in results.response["violations"]
        if violation["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_front_and_article_pages_have_no_serious_accessibility_violations(
    new_page, demo, scheme
):
    page = new_page(color_scheme=scheme)

    page.goto("/")
    assert serious_violations(page) == []
    page.goto(demo.get_absolute_url())
    assert serious_violations(page) == []


def test_video_makes_no_provider_request_until_the_reader_presses_play(page, demo):
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    # Never let a request leave this machine: the provider is stubbed.
    page.route(
        lambda url: any(host in url for host in VIDEO_HOSTS),
        lambda route: route.fulfill(status=204, body=""),
    )

    page.goto(demo.get_absolute_url())
    poster = page.locator(".video-poster")
    expect(poster).to_contain_text("日米安全保障条約を読み解く")
    page.wait_for_load_state("networkidle")
    assert not [url for url in requests if any(h in url for h in VIDEO_HOSTS)]

    poster.click()
    frame = page.locator("iframe.video-frame")
    expect(frame).to_have_attribute(
        "src", "https://www.youtube-nocookie.com/embed/Qa1Ja2Uk3Tr?autoplay=1"
    )
    expect(frame).to_have_attribute("title", demo.video_title)


def test_video_link_works_without_javascript(new_page, demo):
    page = new_page(java_script_enabled=False)

    page.goto(demo.get_absolute_url())

    expect(page.locator(".video-poster")).to_have_attribute(
        "href", "https://www.youtube.com/watch?v=Qa1Ja2Uk3Tr"
    )
    expect(page.locator("iframe")).to_have_count(0)


def test_table_of_contents_jumps_to_its_heading(page, demo):
    page.goto(demo.get_absolute_url())

    page.locator(".toc a").nth(1).click()

    expect(page).to_have_url(
        f"{page.url.split('#')[0]}#why-would-japan-be-called-a-quasi-ally"
    )
    expect(page.locator("#why-would-japan-be-called-a-quasi-ally")).to_be_in_viewport()


def test_phone_width_has_no_horizontal_scroll(new_page, demo):
    page = new_page(viewport={"width": 320, "height": 640})

    for url in ("/", demo.get_absolute_url(), "/search/?q=treaty"):
        page.goto(url)
        overflow = page.evaluate(
            "document.documentElement.scrollWidth"
            " - document.documentElement.clientWidth"
        )
        assert overflow <= 0, url


def test_screenshots_for_the_readme(new_page, demo, tmp_path):
    """Desktop and phone pictures of the pages. Taken on every run (a page that
    does not render fails here); written over docs/screenshots/ only with
    UPDATE_SCREENSHOTS=1, so a test run leaves the tracked files alone."""
    folder = SCREENSHOTS if os.environ.get("UPDATE_SCREENSHOTS") == "1" else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    shots = [
        ("front-page-desktop.png", "/", {"width": 1280, "height": 900}),
        (
            "article-desktop.png",
            demo.get_absolute_url(),
            {"width": 1280, "height": 900},
        ),
        ("article-phone.png", demo.get_absolute_url(), {"width": 390, "height": 844}),
    ]
    for name, url, viewport in shots:
        page = new_page(viewport=viewport, device_scale_factor=1)
        page.goto(url)
        page.screenshot(path=folder / name, full_page=True)
        assert (folder / name).stat().st_size > 10_000
