"""In Chromium: an admin merges two records of one enterprise from its page (the pointer left
behind finds the kept one), reads /admin/system, and on a 390 px phone the 管理 menu fits the
screen in two columns. Screenshots at 1366 and 390 px go to /tmp/shots-admin/."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy.orm import Session
from web.helpers import password
from web.test_browser import CHROMIUM, CHROMIUM_ARGS

from helpdesk.auth.models import User
from helpdesk.directory.models import Enterprise, Organisation
from helpdesk.tickets.models import Ticket

SHOTS = Path("/tmp/shots-admin")
EVERY_DISTRICT = ("330100", "330102", "330105", "330106", "330108", "330109", "330110",
                  "330111", "330112", "330113", "330114", "330122", "330127", "330182")  # fmt: skip


@pytest.mark.browser
def test_merge_system_page_and_the_menu_on_a_phone(
    live_server: str,
    admin: User,
    make_org: Callable[..., Organisation],
    make_ticket: Callable[..., Ticket],
    make_enterprise: Callable[..., Enterprise],
    session: Session,
) -> None:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run `apt-get install chromium fonts-noto-cjk`")
    from playwright.sync_api import expect, sync_playwright

    SHOTS.mkdir(exist_ok=True)
    make_org(slug="law-city", name="杭州市法律服务中心", districts=EVERY_DISTRICT)
    keep = make_enterprise(name="杭州湖滨商贸有限公司", district="330102")
    drop = make_enterprise(name="杭州湖滨商贸公司", district="330102")
    ticket = make_ticket(admin, subject="咨询担保贷款", enterprise_id=drop.id)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1366, "height": 900}, locale="zh-CN")
            page.set_default_timeout(15_000)
            page.goto(f"{live_server}/login")
            page.fill("#login", admin.login)
            page.fill("#password", password())
            page.click("button[type=submit]")
            page.goto(f"{live_server}/admin/enterprises/{keep.id}")
            page.click("button:has-text('合并')")  # no code typed: told beside the field
            expect(page.locator("#other-error")).to_contain_text("没有企业使用此统一社会信用代码")
            page.fill("#other", drop.uscc)
            page.click("button:has-text('合并')")
            expect(page.locator(".flash-success")).to_contain_text("1 个工单")
            page.screenshot(path=str(SHOTS / "enterprise-merged-1366.png"), full_page=True)
            page.goto(f"{live_server}/admin/enterprises?q={drop.uscc}")
            expect(page.locator("main")).to_contain_text(keep.name)
            page.goto(f"{live_server}/admin/orgs")
            expect(page.locator("table.orgs tr", has_text="杭州市法律服务中心")).to_contain_text(
                "全市"
            )
            page.screenshot(path=str(SHOTS / "orgs-1366.png"), full_page=True)
            page.goto(f"{live_server}/admin/changes")
            expect(page.locator("table.changes")).to_contain_text(keep.name)
            page.screenshot(path=str(SHOTS / "changes-1366.png"), full_page=True)
            page.goto(f"{live_server}/admin/system")
            expect(page.locator("h1")).to_have_text("设置与运行状况")
            page.screenshot(path=str(SHOTS / "system-1366.png"), full_page=True)
            page.click("nav summary:has-text('管理')")
            page.screenshot(path=str(SHOTS / "menu-1366.png"))

            phone = browser.new_page(viewport={"width": 390, "height": 844}, locale="zh-CN")
            phone.context.add_cookies(page.context.cookies())
            phone.goto(f"{live_server}/admin/system")
            phone.click("nav summary:has-text('管理')")
            menu = phone.locator("details.menu[open] .menu-items")
            box = menu.bounding_box()
            assert box is not None and box["x"] + box["width"] <= 390
            assert box["height"] < 500, box  # two columns, not fourteen rows
            phone.screenshot(path=str(SHOTS / "menu-390.png"))
            for name in ("system", f"enterprises/{keep.id}", "changes", "orgs"):
                phone.goto(f"{live_server}/admin/{name}")
                width = phone.evaluate("document.documentElement.scrollWidth")
                assert width <= 390, (name, width)
                shot = SHOTS / f"{name.split('/')[0]}-390.png"
                phone.screenshot(path=str(shot), full_page=True)
        finally:
            browser.close()

    session.expire_all()
    assert session.get(Ticket, ticket.id).enterprise_id == keep.id  # type: ignore[union-attr]
