"""The live lists read like the rest of the site (the role walk of 2026-12-04): a status badge
such as 待企业补充 stays on one line on a phone, and the console writes times as the server's
local_time filter does ("2026-12-05 03:13", Hangzhou time) whatever the browser's language and
zone, not the browser's own "12/05 03:13"."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from chromium import launched
from realtime.live import Web, login
from system_packages import BROWSER, require

from console.provider_desk import BankDesk, open_as
from helpdesk import clock
from helpdesk.auth.models import User
from helpdesk.tickets.models import Status
from helpdesk.web import local_time

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# Text lines a badge's words take: one rectangle per line box of its text.
LINES = """(el) => {
  const range = document.createRange();
  range.selectNodeContents(el);
  return new Set(Array.from(range.getClientRects()).map((r) => Math.round(r.top))).size;
}"""


@pytest.fixture
def pending_desk(bank_desk: BankDesk) -> tuple[User, User]:
    """A bank with two tickets waiting for the enterprise (待企业补充), one of them late."""
    for subject, days_ago in (("咨询担保贷款办理条件", 0), ("需要融资租赁冷链设备", 3)):
        bank_desk.file(subject, days_ago, status=Status.PENDING)
    return bank_desk.agent, bank_desk.banker


def test_a_status_badge_stays_on_one_line_on_a_phone(
    web: Web, fresh_presence: None, pending_desk: tuple[User, User]
) -> None:
    require(BROWSER)
    from playwright.sync_api import expect

    _agent, banker = pending_desk
    with launched() as browser:
        page = open_as(browser, web, banker, "/provider", 390, zone="Asia/Shanghai")
        badges = page.locator("#org tr[data-id] span.badge.status-pending")
        expect(badges).to_have_count(2)
        for i in range(2):
            expect(badges.nth(i)).to_have_text("待企业补充")
            assert badges.nth(i).evaluate(LINES) == 1
            assert badges.nth(i).evaluate("(el) => getComputedStyle(el).whiteSpace") == "nowrap"
        # the channel and district column keeps a word a line, not a character a line
        channel = page.locator("#org tr[data-id] td").nth(3)
        assert channel.evaluate("(el) => el.getBoundingClientRect().width") >= 48


def test_the_desk_writes_times_as_the_server_does_in_hangzhou_time(
    web: Web, fresh_presence: None, pending_desk: tuple[User, User]
) -> None:
    require(BROWSER)
    from playwright.sync_api import expect

    agent, banker = pending_desk
    items = (
        login(web.base, banker.login)
        .get(f"{web.base}/api/v1/desk/tickets?view=org", timeout=5)
        .json()["items"]
    )
    wanted = sorted(local_time(datetime.fromisoformat(t["sla"]["accept_by"])) for t in items)
    with launched() as browser:
        # an English browser in New York: its own formatting would say 12/04, 02:13 PM or so
        page = open_as(
            browser, web, banker, "/provider", 1280, locale="en-US", zone="America/New_York"
        )
        cells = page.locator("#org tr[data-id] td.deadline:nth-child(6)")
        expect(cells).to_have_count(2)
        shown = sorted(cells.nth(i).inner_text().split("\n")[0] for i in range(2))
        assert shown == wanted

        before = clock.now()
        page = open_as(
            browser, web, agent, "/console", 1280, locale="en-US", zone="America/New_York"
        )
        since = page.locator("#presence-since")
        expect(since).to_contain_text("自")
        stamp = since.inner_text().rsplit("自", 1)[1].strip()
        at = datetime.strptime(stamp, "%Y-%m-%d %H:%M").replace(tzinfo=clock.HANGZHOU)
        assert before - timedelta(minutes=5) <= at <= clock.now() + timedelta(minutes=1)


@pytest.mark.parametrize("width", [1280, 390])
def test_the_channel_column_does_not_wrap_on_the_provider_desk(
    web: Web, fresh_presence: None, pending_desk: tuple[User, User], session, width: int
) -> None:  # type: ignore[no-untyped-def]
    """The walk of 2026-12-04: at 1280 px 在线交互 stood two characters a line."""
    require(BROWSER)
    from playwright.sync_api import expect

    from helpdesk.tickets.models import Channel, Ticket

    for ticket in session.query(Ticket):
        ticket.channel = Channel.CHAT  # 在线交互: the longest channel name
    session.commit()
    _agent, banker = pending_desk
    with launched() as browser:
        page = open_as(
            browser, web, banker, "/provider", width, locale="zh-CN", zone="Asia/Shanghai"
        )
        cells = page.locator("#org tr[data-id] td.channel")
        expect(cells).to_have_count(2)
        expect(cells.first).to_contain_text("在线交互")
        # the channel and the district below it, each whole; on a phone's card one line,
        # 在线交互 · 西湖区, under the subject
        assert cells.first.evaluate(LINES) == (2 if width == 1280 else 1)
        page.screenshot(path=f"/tmp/provider-desk-channel-{width}.png")
        if width == 1280:
            table = page.locator("#org")
            box = table.evaluate("(el) => [el.scrollWidth, el.parentElement.clientWidth]")
            assert box[0] <= box[1], f"the list scrolls sideways at 1280 px: {box}"
