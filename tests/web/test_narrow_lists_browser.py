"""Text a person must read whole, in a real browser: the enterprise in the new-ticket form at
a laptop's width, long English statuses in the lists at a phone's."""

from __future__ import annotations

import pytest
from chromium import DESKTOP, SHOTS, demo_login, launched
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
