# The browser fixtures of the e2e suite (system Chromium, fresh contexts on the
# live server), shared with the XSS corpus test here; the autouse one lets the
# ORM run beside Playwright's event loop and is harmless for the other tests.
from tests.e2e.conftest import (  # noqa: F401
    _sync_orm_beside_playwright,
    browser,
    new_page,
)
