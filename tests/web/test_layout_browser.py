"""Small things a person notices, in a real browser at a phone's (390 px) and a laptop's
(1366 px) width: words broken in the middle, a button torn from its partner."""

from __future__ import annotations

from typing import Any

import pytest
from chromium import DESKTOP, PHONE, SHOTS, launched
from realtime.live import Web, rt_redis, web  # noqa: F401 (fixtures)

from helpdesk.demo import DEMO_PASSWORD
from web.test_chinese_pages import demo_pages  # noqa: F401 (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

LAPTOP = {**DESKTOP, "width": 1366}

# the lines a piece of text is laid out on (the tops of its boxes), whatever element holds it
LINES_OF = """([selector, text]) => {
    const holder = document.querySelector(selector);
    const at = holder.textContent.indexOf(text);
    if (at < 0) return null;
    const walker = document.createTreeWalker(holder, NodeFilter.SHOW_TEXT);
    const range = document.createRange();
    let node, offset = 0, started = false;
    while ((node = walker.nextNode())) {
        const length = node.textContent.length;
        const end = at + text.length;
        if (!started && at < offset + length) { range.setStart(node, at - offset); started = true; }
        if (started && end <= offset + length) { range.setEnd(node, end - offset); break; }
        offset += length;
    }
    return new Set(Array.from(range.getClientRects()).map((r) => Math.round(r.top))).size;
}"""


def _page(browser: Any, base: str, login: str, size: dict[str, int]) -> Any:
    context = browser.new_context(locale="zh-CN", viewport=size)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{base}/login?lang=zh_CN")
    page.fill("#login", login)
    page.fill("#password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
    return page


def test_names_in_the_header_and_the_filter_buttons_hold_together(
    web: Web,  # noqa: F811 (a real web process)
    demo_pages: dict[str, list[str]],  # noqa: F811
) -> None:
    broken: list[str] = []
    torn: list[str] = []
    rows: dict[int, float] = {}
    with launched() as browser:
        for size in (PHONE, LAPTOP):
            width = size["width"]
            page = _page(browser, web.base, "bank1", size)
            page.goto(f"{web.base}/tickets?lang=zh_CN")
            page.screenshot(path=str(SHOTS / f"layout-bank1-tickets-{width}.png"))
            # a provider's organisation in the header was cut as 杭州银 | 行科技支行
            organisation = (
                page.evaluate("document.querySelector('.who .me').title || ''")
                or "杭州银行科技支行"
            )
            lines = page.evaluate(LINES_OF, [".who .me", organisation])
            if lines != 1:
                broken.append(f"{organisation} on {lines} lines at {width} px")
            # 清除 once wrapped alone under the filters, away from 筛选
            tops = page.eval_on_selector_all(
                "form.filters .button",
                "buttons => buttons.map((b) => Math.round(b.getBoundingClientRect().top))",
            )
            if len(set(tops)) != 1:
                torn.append(f"/tickets at {width} px: buttons at {tops}")
            bottoms = page.eval_on_selector_all(
                "form.filters > *",
                "parts => parts.map((p) => p.getBoundingClientRect().bottom)",
            )
            rows[width] = max(bottoms) - min(bottoms)  # a few px when on one line
            page.context.close()
    assert broken == [], f"a name broken across lines: {broken}"
    assert torn == [], f"filter buttons apart: {torn}"
    # a provider's seven filters and two buttons fit one line of a laptop
    assert rows[1366] < 10, "the provider's ticket filters take more than one line at 1366 px"
