"""In Chromium: an admin unticks "pended" in the standard policy's pause rule on /admin/sla,
saves a new version and finds the box still unticked. Screenshots at 1366 and 390 px:
/tmp/shots-pauserules/."""

from __future__ import annotations

from pathlib import Path

import pytest
from web.helpers import password
from web.test_browser import CHROMIUM, CHROMIUM_ARGS

from helpdesk.auth.models import User
from helpdesk.directory.models import Organisation

SHOTS = Path("/tmp/shots-pauserules")
PENDED = "input[name='pause.standard.pended']"


@pytest.mark.browser
def test_an_admin_unticks_a_pause_state(
    live_server: str, admin: User, centre: Organisation
) -> None:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run `apt-get install chromium fonts-noto-cjk`")
    from playwright.sync_api import expect, sync_playwright

    SHOTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            for width in (1366, 390):
                page = browser.new_page(viewport={"width": width, "height": 900}, locale="zh-CN")
                page.set_default_timeout(15_000)
                page.goto(f"{live_server}/login")
                page.fill("#login", admin.login)
                page.fill("#password", password())
                page.click("button[type=submit]")
                page.goto(f"{live_server}/admin/sla")
                section = page.locator("section.policy", has=page.locator(PENDED))
                expect(section.locator("legend")).to_have_text("以下状态暂停计时")
                if width == 1366:
                    expect(page.locator(PENDED)).to_be_checked()
                    page.locator(PENDED).uncheck()  # by its label's box: what an admin clicks
                    page.click("button:has-text('保存为新版本')")
                    expect(page.locator(".flash-success")).to_contain_text("已保存 SLA 策略第 2 版")
                expect(page.locator(PENDED)).not_to_be_checked()
                expect(page.locator("input[name='pause.standard.resolved']")).to_be_checked()
                section.screenshot(path=str(SHOTS / f"sla-pause-{width}.png"))
                page.screenshot(path=str(SHOTS / f"sla-page-{width}.png"), full_page=True)
                page.close()
        finally:
            browser.close()
