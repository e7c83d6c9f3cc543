"""The monthly report (issue 14 item 6) over the scorecards' hand-computed fortnight
(tests/loop/test_scorecards.py): its figures, a future month refused, an empty month in zeros,
and in Chromium printed to PDF (A4, no header) from the 考核 menu."""

from __future__ import annotations

import re

import pytest
from chromium import SHOTS, launched
from flask.testing import FlaskClient
from sqlalchemy.orm import Session
from system_packages import BROWSER, require
from web.helpers import login, page

from helpdesk.tickets.models import Ticket

from .conftest import People
from .test_browser import log_in
from .test_scorecards import fortnight  # noqa: F401


def _text(html: str, element_id: str) -> str:
    match = re.search(rf'<(div|section) [^>]*id="{element_id}"[^>]*>(.*?)</\1>', html, re.S)
    assert match, element_id
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match.group(2))).strip()


def test_the_report_shows_the_months_figures(
    client: FlaskClient,
    fortnight: list[Ticket],  # noqa: F811
    people: People,
) -> None:
    login(client, people.supervisor)
    body = page(client, "/reports/monthly?month=2025-04")
    # the 5 held, the declined one and the complaint: 7 tickets; ratings 5, 2 and 3
    assert _text(body, "fig-tickets") == "工单 7"
    assert _text(body, "fig-satisfaction") == "满意度（1-5） 3.33"
    ranking = _text(body, "ranking")
    assert "杭州银行科技支行" in ranking and "75.0%" in ranking  # the scorecard's compliance
    complaints = _text(body, "complaints")
    assert "成立" in complaints and "杭州银行科技支行" in complaints
    assert "本月没有新建工单" not in body


def test_a_future_month_is_refused_and_an_empty_month_is_zeros(
    client: FlaskClient,
    fortnight: list[Ticket],  # noqa: F811
    people: People,
) -> None:
    login(client, people.supervisor)
    assert "还没有开始" in page(client, "/reports/monthly?month=2025-05", status=400)
    assert "例如 2026-11" in page(client, "/reports/monthly?month=2025-13", status=400)
    empty = page(client, "/reports/monthly?month=2025-01")
    assert "本月没有新建工单" in empty
    assert _text(empty, "fig-enterprises") == "服务企业数（去重） 0"
    login(client, people.agent)
    assert client.get("/reports/monthly").status_code == 403


def test_the_report_page_has_no_inline_script(
    client: FlaskClient, session: Session, people: People
) -> None:
    """House rule (CSP): the print button's script comes from a static file."""
    login(client, people.supervisor)
    html = client.get("/reports/monthly?month=2025-04").get_data(as_text=True)
    scripts = re.findall(r"<script\b([^>]*)>", html)
    assert scripts and all("src=" in attributes for attributes in scripts), scripts
    assert "/static/print.js" in html


@pytest.mark.browser
def test_the_report_prints_to_a4_from_the_assessment_menu(
    live_server: str,
    session: Session,
    fortnight: list[Ticket],  # noqa: F811
    people: People,
) -> None:
    require(BROWSER)
    from playwright.sync_api import expect

    with launched() as browser:
        for width, name in ((1366, "desktop"), (390, "phone")):
            page = browser.new_page(viewport={"width": width, "height": 900}, locale="zh-CN")
            page.set_default_timeout(15_000)
            log_in(page, live_server, people.supervisor.login)
            page.click("nav summary:has-text('考核')")
            page.click("nav >> text=月度报告")
            expect(page.locator("h1")).to_contain_text("月度服务报告")
            page.fill("input[name=month]", "2025-04")
            page.click("#month-form button[type=submit]")
            expect(page.locator("#fig-satisfaction dd")).to_have_text("3.33")
            page.screenshot(path=str(SHOTS / f"report-monthly-{name}.png"), full_page=True)
            scroll = page.evaluate("document.documentElement.scrollWidth")
            assert scroll <= width, f"{scroll} px wide at {width}"
            # the pages this work changed: the archive and the agent assessment
            for path, shot in (
                ("/archive", "archive"),
                ("/assessment?from=2025-04-01&to=2025-04-10", "assessment"),
            ):
                page.goto(f"{live_server}{path}")
                page.screenshot(path=str(SHOTS / f"report-{shot}-{name}.png"), full_page=True)
                scroll = page.evaluate("document.documentElement.scrollWidth")
                assert scroll <= width, f"{path}: {scroll} px wide at {width}"
            expect(page.locator("#agents thead")).to_contain_text("平均话后整理时长（秒）")
            page.close()
        page = browser.new_page(locale="zh-CN")
        # the print button's dialog, counted instead of opened (it would block the test)
        page.add_init_script("window.print = () => { window.printed = (window.printed || 0) + 1; }")
        log_in(page, live_server, people.supervisor.login)
        page.goto(f"{live_server}/reports/monthly?month=2025-04")
        page.click("[data-print]")
        assert page.evaluate("window.printed") == 1
        page.emulate_media(media="print")
        expect(page.locator("header.top")).to_be_hidden()
        expect(page.locator("#month-form")).to_be_hidden()
        page.screenshot(path=str(SHOTS / "report-monthly-print.png"), full_page=True)
        pdf = page.pdf(path=str(SHOTS / "report-monthly.pdf"), prefer_css_page_size=True)
        assert pdf.startswith(b"%PDF")
        # A4 is 595 x 842 points
        boxes = re.findall(rb"/MediaBox \[0 0 (\d+\.?\d*) (\d+\.?\d*)\]", pdf)
        assert boxes and all(round(float(w)) == 595 and round(float(h)) == 842
                             for w, h in boxes), boxes  # fmt: skip
        assert len(boxes) >= 2  # the ranking starts a page of its own
