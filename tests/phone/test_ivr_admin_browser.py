"""In Chromium: an administrator opens the IVR scripts, sees the hotline's menu drawn as
boxes, follows a key to the box it leads to, and both pages fit a phone (390 px) and a
desktop. Screenshots go to /tmp/shots-rules/."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from web.test_browser import CHROMIUM, CHROMIUM_ARGS

from helpdesk.auth.models import Role, User
from helpdesk.channels.phone.ivr import published
from helpdesk.directory.models import Organisation, OrgKind

SHOTS = Path("/tmp/shots-rules")
PASSWORD = "secret-pass"  # tests/conftest.py's make_user


@pytest.fixture(autouse=True)
def _forget_published() -> Iterator[None]:
    published.forget()
    yield
    published.forget()


@pytest.mark.browser
def test_admin_reads_the_hotline_menu_on_desktop_and_phone(
    live_server: str,
    make_org: Callable[..., Organisation],
    make_user: Callable[..., User],
) -> None:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run `apt-get install chromium fonts-noto-cjk`")
    from playwright.sync_api import expect, sync_playwright

    SHOTS.mkdir(exist_ok=True)
    centre = make_org(OrgKind.SERVICE_CENTRE, slug="centre", name="服务中心")
    admin = make_user(Role.ADMIN, centre, login="admin", name="系统管理员")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1366, "height": 900}, locale="zh-CN")
            page.set_default_timeout(15_000)
            page.goto(f"{live_server}/login")
            page.fill("#login", admin.login)
            page.fill("#password", PASSWORD)
            page.click("button[type=submit]")
            page.click("nav summary:has-text('管理')")
            page.click("nav >> text=语音导航脚本")
            expect(page.locator("table.ivr-scripts")).to_contain_text("服务热线主菜单")
            page.screenshot(path=str(SHOTS / "ivr-list-1366.png"), full_page=True)
            page.click("table.ivr-scripts >> text=hotline.yaml")
            expect(page.locator("#node-welcome")).to_contain_text("来电从这里开始")
            page.locator("#node-main_menu a", has_text="finance_menu").click()
            expect(page.locator("#node-finance_menu")).to_contain_text("投资融资")
            page.screenshot(path=str(SHOTS / "ivr-script-1366.png"), full_page=False)

            phone = browser.new_page(viewport={"width": 390, "height": 844}, locale="zh-CN")
            phone.context.add_cookies(page.context.cookies())
            for url, name in (("admin/ivr", "list"), ("admin/ivr/hotline.yaml", "script"),
                              ("admin/ivr/versions/1", "version")):  # fmt: skip
                phone.goto(f"{live_server}/{url}")
                width = phone.evaluate("document.documentElement.scrollWidth")
                assert width <= 390, f"/{url} is {width} px wide at 390"
                phone.screenshot(path=str(SHOTS / f"ivr-{name}-390.png"), full_page=False)
        finally:
            browser.close()
