"""The provider desk works to its deadlines (issue 12 item 12): each ticket shows its accept-by
and resolve-by with the business time left (or overdue) on its calendar, nearest first."""

from __future__ import annotations

import pytest
from chromium import launched
from realtime.live import Web, login
from system_packages import BROWSER, require

from console.provider_desk import BankDesk, open_as


@pytest.fixture
def desk(bank_desk: BankDesk):  # type: ignore[no-untyped-def]
    """Three tickets for the bank, filed so that id order is not deadline order."""
    numbers = {
        subject: bank_desk.file(subject, days_ago).number
        for subject, days_ago in (("今天来的", 0), ("十天前来的", 10), ("三天前来的", 3))
    }
    return bank_desk.banker, numbers


def test_the_desk_api_gives_both_deadlines_in_business_time(web: Web, desk) -> None:  # type: ignore[no-untyped-def]
    banker, _numbers = desk
    http = login(web.base, banker.login)
    items = http.get(f"{web.base}/api/v1/desk/tickets?view=org", timeout=5).json()["items"]
    by_subject = {t["subject"]: t["sla"] for t in items}
    late, fresh = by_subject["十天前来的"], by_subject["今天来的"]
    assert late["accept_by"] and late["resolve_by"] and late["accept_left"] < 0
    assert fresh["accept_left"] > 0 and fresh["resolve_left"] > fresh["accept_left"]
    # business time: five working days to resolve is at most 5 × 7.5 h, never 5 × 24 h
    assert fresh["resolve_left"] <= 5 * 7.5 * 60 + 1


@pytest.mark.browser
@pytest.mark.slow
def test_the_provider_desk_sorts_by_the_nearest_deadline(web: Web, fresh_presence, desk) -> None:  # type: ignore[no-untyped-def]
    require(BROWSER)
    from playwright.sync_api import expect

    banker, numbers = desk
    with launched() as browser:
        page = open_as(browser, web, banker, "/provider", 1400)
        rows = page.locator("#org tbody tr[data-id]")
        expect(rows).to_have_count(3)
        order = [rows.nth(i).locator("td.number").inner_text() for i in range(3)]
        assert order == [numbers["十天前来的"], numbers["三天前来的"], numbers["今天来的"]]
        expect(page.locator("#org tr.head")).to_contain_text("受理期限")
        expect(page.locator("#org tr.head")).to_contain_text("办结期限")
        expect(rows.nth(0).locator("td.deadline").first).to_contain_text("已超")
        expect(rows.nth(2).locator("td.deadline").first).to_contain_text("还剩")
        page.screenshot(path="/tmp/provider-deadlines.png")


@pytest.mark.browser
@pytest.mark.slow
def test_tickets_without_a_deadline_come_after_the_overdue_ones(
    web: Web,
    fresh_presence,  # type: ignore[no-untyped-def]
    bank_desk: BankDesk,
) -> None:
    """A ticket waiting on the enterprise has no deadline ("—"). The desk sorted it by
    localeCompare, which puts the "no deadline" mark before any date: a banker back after days
    away saw the waiting tickets on top and the overdue ones pushed below them."""
    require(BROWSER)
    from playwright.sync_api import expect

    from helpdesk.tickets import service

    waiting = bank_desk.file("等企业补充材料", 1)
    for step in (service.accept, service.start):
        step(bank_desk.session, bank_desk.banker, waiting)
    service.pend(bank_desk.session, bank_desk.banker, waiting, "请补充营业执照")
    bank_desk.session.commit()
    late = bank_desk.file("十天前来的", 10).number
    with launched() as browser:
        page = open_as(browser, web, bank_desk.banker, "/provider", 1400)
        rows = page.locator("#org tbody tr[data-id]")
        expect(rows).to_have_count(2)
        assert rows.nth(0).locator("td.number").inner_text() == late
        assert rows.nth(1).locator("td.number").inner_text() == waiting.number


def test_a_deadline_passed_on_friday_evening_reads_overdue_on_sunday() -> None:
    """No business minute lies between Friday 17:30 and Sunday: the desk read "还剩 0分钟"
    (left 0) for a resolve-by that had passed, as the demo showed on a Sunday morning."""
    from datetime import datetime

    from helpdesk import clock
    from helpdesk.realtime.summary import sla_state
    from helpdesk.sla.models import TicketSla

    friday_evening = datetime(2025, 11, 14, 17, 30, tzinfo=clock.HANGZHOU)
    sunday = datetime(2025, 11, 16, 10, 0, tzinfo=clock.HANGZHOU)
    sla = TicketSla(
        policy="default", calendar="business", responded=True, resolved=False, closed=False,
        overdue=False, resolution_due=friday_evening, first_response_due=None,
    )  # fmt: skip
    state = sla_state(sla, now=sunday)
    assert state is not None and state["breached"]
    assert state["resolve_left"] is not None and state["resolve_left"] < 0


@pytest.mark.browser
@pytest.mark.slow
def test_a_tapped_row_on_a_phone_brings_its_detail_into_view(
    web: Web,
    fresh_presence,  # type: ignore[no-untyped-def]
    bank_desk: BankDesk,
) -> None:
    """At 390 px the detail pane sits under the whole list: a tapped row filled it out of sight,
    and the tap seemed to do nothing (the demo's bank has 37 open tickets)."""
    require(BROWSER)
    from playwright.sync_api import expect

    numbers = [bank_desk.file(f"咨询第{i}笔贷款", i).number for i in range(14)]
    with launched() as browser:
        page = open_as(browser, web, bank_desk.banker, "/provider", 390, 844)
        rows = page.locator("#org tbody tr[data-id]")
        expect(rows).to_have_count(14)
        # the keyboard shortcuts' two lines are not shown where there is no keyboard
        expect(page.locator(".shortcuts")).to_be_hidden()
        rows.first.click()  # the nearest deadline, at the top of the list
        heading = page.locator("#detail h2")
        expect(heading).to_contain_text(numbers[-1])
        expect(heading).to_be_in_viewport(timeout=3_000)


@pytest.mark.browser
@pytest.mark.slow
def test_on_a_phone_each_ticket_shows_its_deadlines_without_scrolling_sideways(
    web: Web,
    fresh_presence,  # type: ignore[no-untyped-def]
    bank_desk: BankDesk,
) -> None:
    """At 390 px the desk was a seven-column table scrolling sideways inside its box: the
    deadlines, what a banker opening the desk on a phone looks for, were off screen. Each
    ticket is now a card with its status beside the subject and both deadlines named."""
    require(BROWSER)
    from playwright.sync_api import expect

    late = bank_desk.file("十天前来的", 10).number
    with launched() as browser:
        page = open_as(browser, web, bank_desk.banker, "/provider", 390, 844)
        row = page.locator("#org tbody tr[data-id]").first
        expect(row.locator("td.number")).to_have_text(late)
        box = page.locator("#org").locator("xpath=..")  # the list's .scroll-x box
        assert box.evaluate("b => b.scrollWidth <= b.clientWidth"), "the list scrolls sideways"
        accept, resolve = row.locator("td.deadline").first, row.locator("td.deadline").last
        for cell, name in ((accept, "受理期限"), (resolve, "办结期限")):
            expect(cell).to_be_in_viewport(ratio=1)  # whole, within the phone's width
            label = cell.evaluate("c => getComputedStyle(c, '::before').content")
            assert name in label
        expect(resolve).to_contain_text("已超")
        status = row.locator(".badge").first
        assert status.bounding_box()["y"] < row.locator("td.number").bounding_box()["y"]  # type: ignore[index]
        page.screenshot(path="/tmp/provider-desk-phone.png", full_page=True)
