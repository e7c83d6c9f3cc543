"""In Chromium: an admin unticks "pended" in the standard policy's pause rule on /admin/sla,
saves a new version and finds the box still unticked. Screenshots at 1366 and 390 px:
/tmp/shots-pauserules/."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from helpdesk.auth.models import User
from helpdesk.directory.models import Organisation

SHOTS = Path("/tmp/shots-pauserules")
PENDED = "input[name='pause.standard.pended']"


@pytest.mark.browser
def test_an_admin_unticks_a_pause_state(
    live_server: str, admin: User, centre: Organisation, signed_in_page: Callable[..., Any]
) -> None:
    from playwright.sync_api import expect

    SHOTS.mkdir(exist_ok=True)
    for width in (1366, 390):
        page = signed_in_page(admin, width)
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
