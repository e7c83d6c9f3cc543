"""Debian's Chromium for the browser tests, launched one way everywhere: the binary, its
flags, the phone and desktop sizes the pages are checked at, and where screenshots go.

`with launched() as browser:` skips the test (fails in CI) when Chromium is missing, as
`require(BROWSER)` does, and closes the browser after the block, whatever happened in it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from system_packages import BROWSER, require

CHROMIUM = Path(BROWSER.binaries[0])
# No sandbox (containers run as root), no GPU, nothing fetched in the background.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
SHOTS = Path("/tmp")


@contextmanager
def launched() -> Iterator[Any]:
    """A Chromium browser (playwright's), closed after the block."""
    require(BROWSER)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def demo_login(browser: Any, base: str, login: str, size: dict[str, int]) -> Any:
    """A page in a new context of this size (zh-CN), logged in as a demo user."""
    from helpdesk.demo import DEMO_PASSWORD

    page = browser.new_context(locale="zh-CN", viewport=size).new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{base}/login?lang=zh_CN")
    page.fill("#login", login)
    page.fill("#password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
    return page
