"""The dashboard in Chromium: a supervisor clicks the 西湖区 bar and lands on exactly the
tickets behind it; at phone width nothing runs past the screen and the table view works.

Needs Debian's Chromium (`apt-get install chromium fonts-noto-cjk`); skips saying so, and fails
under HELPDESK_REQUIRE_ALL=1.
"""

from __future__ import annotations

import re

import pytest
from chromium import DESKTOP, PHONE, SHOTS, launched
from system_packages import BROWSER, require
from web.helpers import password

from .conftest import MARCH, Month


def bar_centre(page, panel: str, label: str) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    """Where the enterprises bar of `label` is on the page, from the chart's own coordinates."""
    page.wait_for_function(f"window.statsCharts && window.statsCharts['{panel}']")
    page.locator(f"#chart-{panel}").scroll_into_view_if_needed()
    x, y = page.evaluate(
        """([panel, label]) => {
            const chart = window.statsCharts[panel];
            const axis = chart.getOption().xAxis[0].type === "category" ? "xAxis" : "yAxis";
            const i = chart.getOption()[axis][0].data.indexOf(label);
            // The drawn rectangle: the enterprises bar sits left of its category's centre.
            const bar = chart.getModel().getSeriesByIndex(0).getData().getItemLayout(i);
            return [bar.x + bar.width / 2, bar.y + bar.height / 2];
        }""",
        [panel, label],
    )
    box = page.locator(f"#chart-{panel}").bounding_box()
    assert box is not None
    return box["x"] + x, box["y"] + y


@pytest.mark.browser
def test_a_bar_opens_the_tickets_behind_it(live_server: str, month: Month) -> None:
    require(BROWSER)
    from playwright.sync_api import expect

    with launched() as browser:
        page = browser.new_page(viewport=DESKTOP, locale="zh-CN", bypass_csp=True)
        page.set_default_timeout(15_000)
        page.goto(f"{live_server}/login")
        page.fill("#login", month.supervisor.login)
        page.fill("#password", password())
        page.click("button[type=submit]")
        page.click("text=统计分析")
        expect(page.locator("h1")).to_have_text("统计分析")
        page.goto(f"{live_server}/stats?{MARCH}")
        expect(page.locator("#total-enterprises")).to_have_text("3")
        # 查询 and 本月 on the filters' line (本月 once wrapped under it at desktop width)
        show, this_month = (
            page.locator(f"#stats-filters .button:has-text('{name}')").bounding_box()
            for name in ("查询", "本月")
        )
        assert show and this_month and this_month["y"] == show["y"], (show, this_month)
        page.wait_for_function("window.statsCharts && window.statsCharts['channel']")
        page.screenshot(path=str(SHOTS / "stats-desktop.png"), full_page=True)
        x, y = bar_centre(page, "district", "西湖区")
        page.mouse.click(x, y)

        expect(page).to_have_url(re.compile(r"/tickets\?.*district=330106"))
        expect(page.locator("#created_from")).to_have_value("2025-03-01")
        rows = page.locator("table.tickets tbody tr")
        expect(rows).to_have_count(5)
        listed = set(rows.locator("td:first-child").all_inner_texts())
        assert listed == {month.tickets[i - 1].number for i in (1, 2, 4, 6, 7)}
        page.screenshot(path=str(SHOTS / "stats-drill-down.png"), full_page=True)

        phone = browser.new_page(viewport=PHONE, locale="zh-CN", bypass_csp=True)
        phone.set_default_timeout(15_000)
        phone.context.add_cookies(page.context.cookies())
        phone.goto(f"{live_server}/stats?{MARCH}")
        x, y = bar_centre(phone, "platform", "信息咨询")  # bars on their side on a phone
        phone.screenshot(path=str(SHOTS / "stats-phone.png"), full_page=True)
        phone.mouse.click(x, y)
        expect(phone).to_have_url(re.compile(r"/tickets\?.*category=info"))
        expect(phone.locator("table.tickets tbody tr")).to_have_count(2)
        phone.screenshot(path=str(SHOTS / "stats-drill-down-phone.png"), full_page=True)
        phone.go_back()
        phone.wait_for_function("window.statsCharts && window.statsCharts['channel']")
        section = phone.locator("#panel-channel")
        section.get_by_role("button", name="表格").click()
        expect(section.locator("table")).to_be_visible()
        expect(section.locator("#chart-channel")).to_be_hidden()
        expect(section.locator("tr.total")).to_contain_text("合计（企业去重）")
        widest = phone.evaluate("document.documentElement.scrollWidth")
        phone.screenshot(path=str(SHOTS / "stats-phone-table.png"), full_page=True)
        assert widest <= 390, f"the page is {widest}px wide on a 390px phone"
