"""The wallboard fits one 1080p screen (issue 12 item 12): with 160 breached tickets each list
shows its first entries, its count and a link to the rest, and the page is no taller than the
screen; the link shows the whole list. Also the header is at most two rows at desktop width.
On a 1280 px laptop each list still shows its tickets' subjects."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from chromium import launched
from realtime.live import Web
from system_packages import BROWSER, require

from console.provider_desk import BankDesk, open_as
from helpdesk.auth.models import Role, User

pytestmark = [pytest.mark.browser, pytest.mark.slow]
BREACHED = 160


@pytest.fixture
def late_tickets(bank_desk: BankDesk, make_user: Callable[..., User]) -> User:
    """The centre's chief, with 160 tickets filed long ago: every due time has passed."""
    chief = make_user(Role.ADMIN, bank_desk.centre, name="王敏")
    for i in range(BREACHED):
        bank_desk.file(f"需要融资租赁冷链设备（{i + 1}）", days_ago=20)
    return chief


def fits_one_screen(page: Any) -> None:
    from playwright.sync_api import expect

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


def shows_the_subjects(page: Any) -> None:
    """At 1280 px the half-width lists once gave the subject column no width at all."""
    from playwright.sync_api import expect

    subject = page.locator("#breached tbody tr td.subject").first
    expect(subject).to_contain_text("需要融资租赁冷链设备")
    width = subject.evaluate("el => el.getBoundingClientRect().width")
    assert width >= 160, f"the subject column is {width} px wide at 1280 px"
    page.screenshot(path="/tmp/wallboard-1280.png")


@pytest.mark.parametrize(
    ("width", "height", "check"),
    [
        pytest.param(1920, 1080, fits_one_screen, id="1080p-fits-one-screen"),
        pytest.param(1280, 800, shows_the_subjects, id="1280-laptop-shows-the-subjects"),
    ],
)
def test_the_wallboard(
    web: Web,
    fresh_presence: None,
    late_tickets: User,
    width: int,
    height: int,
    check: Callable[[Any], None],
) -> None:
    require(BROWSER)
    from playwright.sync_api import expect

    with launched() as browser:
        page = open_as(browser, web, late_tickets, "/wallboard", width, height)
        expect(page.locator("#breached-count")).to_have_text(str(BREACHED))
        check(page)
