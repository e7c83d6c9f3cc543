"""The wallboard fits one 1080p screen (issue 12 item 12): with 160 breached tickets each list
shows its first entries, its count and a link to the rest, and the page is no taller than the
screen; the link shows the whole list. Also the header is at most two rows at desktop width.
On a 1280 px laptop each list still shows its tickets' subjects."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from realtime.live import PASSWORD, Web
from system_packages import BROWSER, require

from helpdesk import clock
from helpdesk.auth.models import Role
from helpdesk.directory.models import OrgKind
from helpdesk.tickets import service

CHROMIUM = Path(BROWSER.binaries[0])
ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]
pytestmark = [pytest.mark.browser, pytest.mark.slow]
BREACHED = 160


@pytest.fixture
def late_tickets(session, make_org, make_user):  # type: ignore[no-untyped-def]
    centre = make_org(OrgKind.SERVICE_CENTRE, slug="centre", name="服务中心")
    bank = make_org(slug="bank", name="杭州银行科技支行")
    chief = make_user(Role.ADMIN, centre, name="王敏")
    agent = make_user(Role.AGENT, centre, name="李娜")
    clock.freeze(clock.now() - timedelta(days=20))  # filed long ago: every due time has passed
    try:
        for i in range(BREACHED):
            service.create(
                session,
                agent,
                service.NewTicket(
                    subject=f"需要融资租赁冷链设备（{i + 1}）",
                    category="finance/leasing",
                    district="330102",
                    organisation_id=bank.id,
                ),
            )
        session.commit()
    finally:
        clock.unfreeze()
    return chief


def test_the_wallboard_fits_one_1080p_screen(web: Web, fresh_presence, late_tickets) -> None:  # type: ignore[no-untyped-def]
    require(BROWSER)
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
            page.set_default_timeout(15_000)
            page.goto(f"{web.base}/login?lang=zh_CN")
            page.fill("#login", late_tickets.login)
            page.fill("#password", PASSWORD)
            page.click("button[type=submit]")
            page.goto(f"{web.base}/wallboard")
            expect(page.locator("#breached-count")).to_have_text(str(BREACHED))
            rows = page.locator("#breached tbody tr")
            assert 1 <= rows.count() <= 6
            more = page.locator('section[data-list="breached"] a.more')
            expect(more).to_be_visible()
            expect(more).to_contain_text(str(BREACHED))
            page.wait_for_load_state("networkidle")
            page.screenshot(path="/tmp/wallboard-1080.png")
            height = page.evaluate("document.documentElement.scrollHeight")
            assert height <= 1080, f"the wallboard is {height} px tall on a 1080 px screen"
            header = page.evaluate("document.querySelector('header.top').offsetHeight")
            line = page.evaluate(
                "parseFloat(getComputedStyle(document.querySelector('.nav a')).lineHeight) || 24"
            )
            assert header <= 2 * line + 40, f"the header is {header} px: more than two rows"

            more.click()
            expect(page.locator("#breached tbody tr")).to_have_count(BREACHED)
            expect(page.locator('section[data-list="at-risk"]')).to_be_hidden()
            page.screenshot(path="/tmp/wallboard-breached.png")
        finally:
            browser.close()


def test_a_laptop_wallboard_shows_the_subjects(web: Web, fresh_presence, late_tickets) -> None:  # type: ignore[no-untyped-def]
    """At 1280 px the half-width lists once gave the subject column no width at all."""
    require(BROWSER)
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 800}, locale="zh-CN")
            page.set_default_timeout(15_000)
            page.goto(f"{web.base}/login?lang=zh_CN")
            page.fill("#login", late_tickets.login)
            page.fill("#password", PASSWORD)
            page.click("button[type=submit]")
            page.goto(f"{web.base}/wallboard")
            expect(page.locator("#breached-count")).to_have_text(str(BREACHED))
            subject = page.locator("#breached tbody tr td.subject").first
            expect(subject).to_contain_text("需要融资租赁冷链设备")
            width = subject.evaluate("el => el.getBoundingClientRect().width")
            assert width >= 160, f"the subject column is {width} px wide at 1280 px"
            page.screenshot(path="/tmp/wallboard-1280.png")
        finally:
            browser.close()
