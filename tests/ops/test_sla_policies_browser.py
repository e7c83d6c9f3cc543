"""In Chromium: an admin mistypes the high-priority first-response target on /admin/sla (told
beside the field), corrects it and saves a new version; a supervisor sees the page without the
form. Screenshots at 1366 and 390 px: /tmp/shots-slapol/."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from helpdesk.auth.models import Role, User
from helpdesk.directory.models import Organisation

SHOTS = Path("/tmp/shots-slapol")
HIGH = "input[name='standard.o1.first_response']"


@pytest.mark.browser
def test_an_admin_edits_a_target_in_the_browser(
    live_server: str,
    admin: User,
    centre: Organisation,
    make_user: Callable[..., User],
    signed_in_page: Callable[..., Any],
) -> None:
    from playwright.sync_api import expect

    supervisor = make_user(Role.SUPERVISOR, centre, login="sup", name="值班主管")
    SHOTS.mkdir(exist_ok=True)
    for who, width in ((admin, 1366), (admin, 390), (supervisor, 390), (supervisor, 1366)):
        page = signed_in_page(who, width)
        page.goto(f"{live_server}/admin/sla")
        expect(page.locator("h1")).to_have_text("SLA 策略")
        if who is supervisor:
            expect(page.locator(HIGH)).to_have_count(0)
            expect(page.locator("main")).to_contain_text("只读：策略由系统管理员修改")
        elif width == 1366:
            page.fill(HIGH, "0h")
            page.click("button:has-text('保存为新版本')")
            expect(page.locator("main")).to_contain_text("时限必须大于零")
            page.screenshot(path=str(SHOTS / "sla-error-1366.png"), full_page=True)
            page.fill(HIGH, "3h")
            page.click("button:has-text('保存为新版本')")
            expect(page.locator(".flash-success")).to_contain_text("已保存 SLA 策略第 2 版")
            expect(page.locator(HIGH)).to_have_value("3h")
        page.screenshot(path=str(SHOTS / f"sla-{who.login}-{width}.png"), full_page=True)
        page.close()
