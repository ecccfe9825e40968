"""Browser tests: Playwright for Python driving the system's Chromium.

Never a downloaded browser: Debian's package at /usr/bin/chromium (or
CHROMIUM_PATH). A missing browser fails the run; it is never skipped.
"""

import contextlib
import os
import time
from pathlib import Path

import pytest
from django.apps import apps as django_apps
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import sync_playwright

from core.roles import sync_groups

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/e2e/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.fail(
            f"Chromium is not at {CHROMIUM}. Install Debian's package "
            "(apt-get install chromium) or set CHROMIUM_PATH.",
            pytrace=False,
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser, live_server):
    """Pages in fresh browser contexts (separate cookies), closed afterwards."""
    contexts = []

    def make(**options):
        options.setdefault("base_url", live_server.url)
        context = browser.new_context(**options)
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield make
    # Leaving a page sends its beacons (the admin's autosave posts one on
    # pagehide); let them reach the live server before the test's database is
    # flushed, or PostgreSQL's TRUNCATE and the beacon's write deadlock.
    for context in contexts:
        for opened in context.pages:
            with contextlib.suppress(PlaywrightError):
                opened.goto("about:blank")
        context.close()
    if contexts:
        time.sleep(0.3)


@pytest.fixture
def page(new_page):
    return new_page()


@pytest.fixture(scope="session", autouse=True)
def _sync_orm_beside_playwright():
    """Playwright's sync API runs an event loop in the test's thread; the ORM
    calls the tests (and their database fixtures) make beside it are ordinary
    synchronous calls. Set for the browser tests only."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield


@pytest.fixture(autouse=True)
def _page_cache_on(settings):
    """Browser tests see what readers see: the page cache and the article
    page's fragments are on, and purges run because these tests commit."""
    settings.NEWSROOM_PAGE_CACHE = True
    settings.NEWSROOM_FRAGMENT_CACHE = True


@pytest.fixture(autouse=True)
def _groups(transactional_db):
    """Live-server tests flush the database; the role groups come back here."""
    sync_groups(django_apps)
