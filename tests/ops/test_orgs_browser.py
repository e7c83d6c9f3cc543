"""In Chromium: an admin suspends a provider with a reason, re-routes its open ticket with one
click, and the next finance ticket goes to the other bank; the suspension is in the 操作记录.
Screenshots at desktop and phone width go to /tmp/shot-orgs-*.png."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session

from helpdesk.auth.models import User
from helpdesk.directory.models import Enterprise, Organisation, OrgStatus
from helpdesk.tickets.models import Ticket

SHOTS = Path("/tmp")


@pytest.mark.browser
def test_admin_suspends_a_provider_and_the_next_ticket_goes_elsewhere(
    live_server: str,
    admin: User,
    banks: tuple[Organisation, Organisation],
    make_ticket: Callable[..., Ticket],
    make_enterprise: Callable[..., Enterprise],
    session: Session,
    signed_in_page: Callable[..., Any],
) -> None:
    from playwright.sync_api import expect

    bank, other = banks
    make_enterprise(name="杭州湖滨商贸有限公司", district="330102")  # for the enterprises shot
    waiting = make_ticket(admin, subject="申请流动资金贷款")
    assert waiting.assigned_org_id == bank.id
    page = signed_in_page(admin, 1280)
    page.click("nav summary:has-text('管理')")  # the header's 管理 menu
    page.click("nav >> text=机构管理")
    expect(page.locator("h1")).to_have_text("机构管理")
    page.screenshot(path=str(SHOTS / "shot-orgs-list.png"), full_page=True)
    page.click("table.orgs >> text=杭州银行")
    page.click("button:has-text('暂停')")  # no reason yet: told beside the field
    expect(page.locator("#st-reason-error")).to_contain_text("请填写原因")
    page.fill("#st-reason", "资质年检未通过")
    page.click("button:has-text('暂停')")
    expect(page.locator(".flash-success")).to_contain_text("杭州银行 已暂停")
    expect(page.locator("table.open-tickets")).to_contain_text(waiting.number)
    page.screenshot(path=str(SHOTS / "shot-orgs-suspended.png"), full_page=True)
    row = page.locator("table.open-tickets tr", has_text=waiting.number)
    row.locator("button:has-text('重新分派')").click()
    expect(page.locator(".flash-success")).to_contain_text(
        f"{waiting.number} 已重新分派给 浙商银行"
    )
    expect(page.locator("table.open-tickets")).to_have_count(0)

    arrived = make_ticket(admin, subject="申请担保")  # a new need, as the portal files it
    page.goto(f"{live_server}/tickets/{arrived.number}")
    expect(page.locator("main")).to_contain_text("浙商银行")

    page.click("nav summary:has-text('管理')")  # the header's 管理 menu
    page.click("nav >> text=操作记录")
    change = page.locator("table.changes tr", has_text="杭州银行")
    expect(change).to_contain_text("暂停机构")
    expect(change).to_contain_text("资质年检未通过")
    page.screenshot(path=str(SHOTS / "shot-orgs-changes.png"), full_page=True)

    phone = signed_in_page(admin, 390, 844)
    for name in ("orgs", "orgs/new", f"orgs/{bank.id}", "enterprises"):
        phone.goto(f"{live_server}/admin/{name}")
        shot = SHOTS / f"shot-orgs-phone-{name.replace('/', '-')}.png"
        phone.screenshot(path=str(shot), full_page=True)

    session.expire_all()
    assert session.get(Organisation, bank.id).status is OrgStatus.SUSPENDED  # type: ignore[union-attr]
    assert session.get(Ticket, waiting.id).assigned_org_id == other.id  # type: ignore[union-attr]
    assert session.get(Ticket, arrived.id).assigned_org_id == other.id  # type: ignore[union-attr]
