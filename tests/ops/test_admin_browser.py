"""In Chromium: an admin merges two records of one enterprise from its page (the pointer left
behind finds the kept one), reads /admin/system, and on a 390 px phone the 管理 menu fits the
screen in two columns. Screenshots at 1366 and 390 px go to /tmp/shots-admin/."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session

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
    signed_in_page: Callable[..., Any],
) -> None:
    from playwright.sync_api import expect

    SHOTS.mkdir(exist_ok=True)
    make_org(slug="law-city", name="杭州市法律服务中心", districts=EVERY_DISTRICT)
    keep = make_enterprise(name="杭州湖滨商贸有限公司", district="330102")
    drop = make_enterprise(name="杭州湖滨商贸公司", district="330102")
    ticket = make_ticket(admin, subject="咨询担保贷款", enterprise_id=drop.id)
    page = signed_in_page(admin)
    asked: list[str] = []  # a merge cannot be undone: the page asks first
    page.on("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    page.goto(f"{live_server}/admin/enterprises/{keep.id}")
    page.click("button:has-text('合并')")  # no code typed: told beside the field, not asked
    expect(page.locator("#other-error")).to_contain_text("请填写另一条记录的统一社会信用代码")
    assert asked == []
    page.fill("#other", "91330100MA2XXXXXX0")  # nobody's: the server says so
    page.click("button:has-text('合并')")
    expect(page.locator("#other-error")).to_contain_text("没有企业使用此统一社会信用代码")
    page.fill("#other", drop.uscc)
    page.click("button:has-text('合并')")
    expect(page.locator(".flash-success")).to_contain_text("1 个工单")
    assert asked and "合并后无法撤销" in asked[-1]
    page.screenshot(path=str(SHOTS / "enterprise-merged-1366.png"), full_page=True)
    page.goto(f"{live_server}/admin/enterprises?q={drop.uscc}")
    expect(page.locator("main")).to_contain_text(keep.name)
    page.goto(f"{live_server}/admin/orgs")
    expect(page.locator("table.orgs tr", has_text="杭州市法律服务中心")).to_contain_text("全市")
    page.screenshot(path=str(SHOTS / "orgs-1366.png"), full_page=True)
    page.goto(f"{live_server}/admin/changes")
    expect(page.locator("table.changes")).to_contain_text(keep.name)
    page.screenshot(path=str(SHOTS / "changes-1366.png"), full_page=True)
    page.goto(f"{live_server}/admin/system")
    expect(page.locator("h1")).to_have_text("设置与运行状况")
    page.screenshot(path=str(SHOTS / "system-1366.png"), full_page=True)
    page.click("nav summary:has-text('管理')")
    page.screenshot(path=str(SHOTS / "menu-1366.png"))

    phone = signed_in_page(admin, 390, 844)
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

    session.expire_all()
    assert session.get(Ticket, ticket.id).enterprise_id == keep.id  # type: ignore[union-attr]
