"""In Chromium: an agent presses / on the ticket list, types, and narrows the results by a
facet; the same page at phone width has nothing wider than the screen."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from chromium import DESKTOP, PHONE, SHOTS, launched
from system_packages import BROWSER, require

from .conftest import Platform


@pytest.mark.browser
def test_slash_opens_the_search_and_a_facet_narrows_it(
    live_server: str, platform: Platform, suite_password: Callable[[], str]
) -> None:
    require(BROWSER)
    from playwright.sync_api import expect

    with launched() as browser:
        page = browser.new_page(viewport=DESKTOP, locale="zh-CN")
        page.set_default_timeout(15_000)
        page.goto(f"{live_server}/login?next=/tickets")
        page.fill("#login", platform.agent.login)
        page.fill("#password", suite_password())
        page.click("button[type=submit]")
        expect(page.locator("h1")).to_have_text("工单")
        # search.js is deferred: "/" pressed before it ran does nothing. On a loaded
        # machine (a full browser run) the heading showed well before the script did.
        page.wait_for_load_state("load")

        page.keyboard.press("/")
        expect(page.locator("#header-search")).to_be_focused()
        page.keyboard.type("担保")
        page.keyboard.press("Enter")
        expect(page.locator(".hits .total")).to_have_text("找到 3 个工单")
        expect(page.locator(".facets")).to_contain_text("西湖区")
        expect(page.locator(".ticket-hits mark").first).to_have_text("担保")
        page.screenshot(path=str(SHOTS / "shot-search.png"), full_page=True)

        page.locator(".facet", has_text="类型").locator("a", has_text="投诉").click()
        expect(page.locator(".hits .total")).to_have_text("找到 1 个工单")
        expect(page.locator(".ticket-hits")).to_contain_text("投诉担保费用过高")

        phone = browser.new_page(viewport=PHONE, locale="zh-CN")
        phone.context.add_cookies(page.context.cookies())
        phone.goto(f"{live_server}/search?q=融资担保")
        expect(phone.locator(".hits .total")).to_have_text("找到 2 个工单")
        widest = phone.evaluate("document.documentElement.scrollWidth")
        phone.screenshot(path=str(SHOTS / "shot-search-phone.png"), full_page=True)
        assert widest <= 390
