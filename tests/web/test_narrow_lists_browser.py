"""Text a person must read whole, in a real browser: the enterprise in the new-ticket form at
a laptop's width, long English statuses in the lists at a phone's."""

from __future__ import annotations

import pytest
from chromium import DESKTOP, PHONE, SHOTS, demo_login, launched
from realtime.live import Web, rt_redis, web  # noqa: F401 (fixtures)

from web.test_chinese_pages import demo_pages  # noqa: F401 (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

LAPTOP = {**DESKTOP, "width": 1366}

# the widest option's text against the room the select gives it (its arrow takes ~20 px)
WIDEST_AND_ROOM = """(select) => {
    const style = getComputedStyle(select);
    const context = document.createElement('canvas').getContext('2d');
    context.font = style.font;
    const room = select.clientWidth - parseFloat(style.paddingLeft)
        - parseFloat(style.paddingRight) - 20;
    const widest = Math.max(...Array.from(select.options).map(
        (o) => context.measureText(o.text).width));
    return [Math.round(widest), Math.round(room)];
}"""


def test_the_enterprise_choice_is_read_whole_at_a_laptops_width(
    web: Web,  # noqa: F811 (a real web process)
    demo_pages: dict[str, list[str]],  # noqa: F811
) -> None:
    """The 企业 select on /tickets/new was one grid column and cut its options:
    "杭州上城老字号餐饮管理有限公司（9133010"."""
    with launched() as browser:
        page = demo_login(browser, web.base, "agent1", LAPTOP)
        page.goto(f"{web.base}/tickets/new?lang=zh_CN")
        page.select_option("[name=enterprise_id]", index=1)
        page.screenshot(path=str(SHOTS / "new-ticket-enterprise-1366.png"))
        widest, room = page.eval_on_selector("[name=enterprise_id]", WIDEST_AND_ROOM)
        assert widest <= room, f"the longest enterprise needs {widest} px, has {room}"


# each live list's width against the box it sits in (on a phone each ticket is a card)
WIDER_THAN_ITS_BOX = """() => Array.from(document.querySelectorAll('table.live'))
    .filter((t) => t.rows.length > 1)
    .map((t) => [t.id, t.scrollWidth, t.parentElement.clientWidth])"""


@pytest.mark.parametrize(("login", "path"), [("agent1", "/console"), ("bank1", "/provider")])
def test_long_english_statuses_wrap_on_a_phone(
    web: Web,  # noqa: F811 (a real web process)
    demo_pages: dict[str, list[str]],  # noqa: F811
    login: str,
    path: str,
) -> None:
    """At 390 px in English "Pending (waiting on the enterprise)" (and the provider desk's
    "overdue by 112h30min of business time") stayed on one line and pushed the console's and the
    provider desk's lists wider than the phone: they now wrap, and each card fits the screen."""
    with launched() as browser:
        page = demo_login(browser, web.base, login, PHONE)
        page.goto(f"{web.base}{path}?lang=en")
        page.wait_for_selector("table.live tr[data-id]")
        page.screenshot(path=str(SHOTS / f"long-statuses-{login}-390.png"))
        lists = page.evaluate(WIDER_THAN_ITS_BOX)
        assert lists
        wide = [(name, width, room) for name, width, room in lists if width > room + 1]
        assert not wide, f"lists wider than the phone (id, width, room): {wide}"
