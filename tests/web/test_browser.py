"""One real browser run: an agent takes a call, files the ticket, finds it and accepts it.

Needs Debian's Chromium (`apt-get install chromium fonts-noto-cjk`, which `make test` runs as root
on Debian); without it this test skips saying so, and fails under HELPDESK_REQUIRE_ALL=1 (CI).
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from chromium import DESKTOP, PHONE, SHOTS, launched
from sqlalchemy import select
from sqlalchemy.orm import Session
from system_packages import BROWSER, require

from helpdesk.auth.models import Role, User
from helpdesk.directory.models import Enterprise, Organisation
from helpdesk.tickets.models import Status, Ticket
from web.helpers import password


@pytest.mark.browser
def test_agent_files_a_call_and_accepts_it(
    live_server: str,
    make_org: Callable[..., Organisation],
    make_user: Callable[..., User],
    make_enterprise: Callable[..., Enterprise],
    session: Session,
) -> None:
    require(BROWSER)
    from playwright.sync_api import expect

    centre = make_org(slug="centre", name="服务中心")
    agent = make_user(Role.AGENT, centre, name="李娜")
    enterprise = make_enterprise(name="杭州湖滨商贸有限公司", district="330102")

    with launched() as browser:
        page = browser.new_page(viewport=DESKTOP, locale="zh-CN")
        page.set_default_timeout(15_000)
        page.goto(f"{live_server}/tickets")
        expect(page).to_have_url(re.compile(r"/login\?next="))
        page.fill("#login", agent.login)
        page.fill("#password", password())
        page.click("button[type=submit]")
        expect(page.locator("h1")).to_have_text("工单")

        page.click("text=新建工单")
        page.fill("#caller_phone", "13957112345")
        page.fill("#caller_name", "王先生")
        page.select_option("#enterprise_id", str(enterprise.id))
        page.select_option("#category", "finance/guarantee")
        page.select_option("#priority", "high")
        page.fill("#subject", "申请50万元担保贷款")
        page.fill("#description", "企业需要短期流动资金，询问担保流程。")
        page.screenshot(path=str(SHOTS / "shot-new-ticket.png"), full_page=True)
        page.click("button:has-text('创建工单')")
        expect(page.locator(".flash-success")).to_contain_text("已创建")
        number = page.locator(".ticket-head .number").inner_text().strip()
        assert re.fullmatch(r"HZ-\d{8}-\d{5}", number)

        page.click("nav summary:has-text('工单')")  # the header's 工单 menu
        page.click("nav >> text=全部工单")
        row = page.locator("table.tickets tr", has_text=number)
        expect(row).to_contain_text("申请50万元担保贷款")
        expect(row).to_contain_text("新建")
        expect(row).to_contain_text("上城区")  # the enterprise's district
        page.screenshot(path=str(SHOTS / "shot-list.png"), full_page=True)
        row.locator(f"a:has-text('{number}')").click()

        # New and not routed: an agent routes it to the centre, then accepts it.
        page.click("summary:has-text('派单')")
        page.select_option("#assign-organisation_id", str(centre.id))
        page.click("button:has-text('确认：派单')")
        expect(page.locator("#ticket-status")).to_have_text("已派单")
        page.click("form[data-action=accept] button")
        expect(page.locator("#ticket-status")).to_have_text("已受理")
        expect(page.locator("ol.timeline")).to_contain_text("已派单 → 已受理")
        page.screenshot(path=str(SHOTS / "shot-detail.png"), full_page=True)

        phone = browser.new_page(viewport=PHONE, locale="zh-CN")
        phone.context.add_cookies(page.context.cookies())
        phone.goto(f"{live_server}/tickets/{number}")
        phone.screenshot(path=str(SHOTS / "shot-phone.png"), full_page=True)

    session.expire_all()
    ticket = session.scalars(select(Ticket).where(Ticket.number == number)).one()
    assert ticket.status is Status.ACCEPTED
    assert ticket.enterprise_id == enterprise.id and ticket.district_code == "330102"
    assert ticket.first_response_at is not None
