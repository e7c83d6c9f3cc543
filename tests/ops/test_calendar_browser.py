"""In Chromium, on 31 December 2026 at 16:00 (the clock driven): the admin is warned that 2027
is missing, enters 元旦 on the calendar page, and the next ticket's first response is due on
Monday 4 January instead of New Year's Day. Screenshots: /tmp/shot-calendar-*.png."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from helpdesk import clock
from helpdesk.auth.models import User
from helpdesk.directory.models import Organisation
from helpdesk.sla.calendar import HANGZHOU
from helpdesk.tickets.models import Ticket

SHOTS = Path("/tmp")


@pytest.mark.browser
def test_a_holiday_entered_in_the_browser_moves_the_next_due_time(
    live_server: str,
    admin: User,
    centre: Organisation,
    use_rules: Callable[..., object],
    make_ticket: Callable[..., Ticket],
    signed_in_page: Callable[..., Any],
) -> None:
    from playwright.sync_api import expect

    use_rules({"rules.yaml": "rules:\n  - {name: default, priority: 0, route: {to: [centre]}}\n"})
    clock.freeze(datetime(2026, 12, 31, 16, 0, tzinfo=HANGZHOU))
    before = make_ticket(admin, subject="年底前咨询")
    page = signed_in_page(admin, 1280)
    page.goto(f"{live_server}/tickets/{before.number}")
    expect(page.locator("main")).to_contain_text("2027-01-01 11:00")

    page.click("nav summary:has-text('管理')")  # the header's 管理 menu
    page.click("nav >> text=工作日历")
    expect(page.locator("h1")).to_have_text("工作日历 2027")
    expect(page.locator(".calendar-missing")).to_contain_text("缺少 2027 年节假日数据")
    page.fill("#add-first", "2028-01-01")  # outside the year: told beside the field
    page.fill("#add-name", "元旦")
    page.click("button:has-text('录入')")
    expect(page.locator("#add-first-error")).to_contain_text("2028-01-01 不在 2027 年内")
    page.fill("#add-first", "2027-01-01")
    page.fill("#add-last", "2027-01-03")
    page.click("button:has-text('录入')")
    expect(page.locator(".flash-success")).to_contain_text("已录入 3 天")
    expect(page.locator("td[data-date='2027-01-01']")).to_have_class("day holiday")
    expect(page.locator(".calendar-missing")).to_have_count(0)
    page.screenshot(path=str(SHOTS / "shot-calendar-2027.png"), full_page=True)

    after = make_ticket(admin, subject="元旦前咨询")
    page.goto(f"{live_server}/tickets/{after.number}")
    expect(page.locator("main")).to_contain_text("2027-01-04 11:00")

    page.goto(f"{live_server}/admin/sla")
    page.screenshot(path=str(SHOTS / "shot-calendar-policies.png"), full_page=True)
    page.click("nav summary:has-text('管理')")  # the header's 管理 menu
    page.click("nav >> text=服务目录")
    expect(page.locator("h1")).to_have_text("服务目录")
    page.screenshot(path=str(SHOTS / "shot-catalogue.png"), full_page=True)
    phone = signed_in_page(admin, 390, 844)
    for name in ("calendar", "sla", "catalogue", "catalogue/finance/pawn"):
        phone.goto(f"{live_server}/admin/{name}")
        phone.screenshot(path=str(SHOTS / f"shot-calendar-phone-{name}.png"), full_page=True)
