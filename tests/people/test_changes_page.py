"""/admin/changes (操作记录) as walkers found it: a 起始 date after 截止 is said beside the
dates (not an empty list, never a 500), and at phone width a long unbroken value (a URL)
wraps inside the before → after column instead of widening it."""

from __future__ import annotations

import re

import pytest
from chromium import PHONE, SHOTS, launched
from flask.testing import FlaskClient
from sqlalchemy.orm import Session
from web.helpers import login, password

from helpdesk.auth.models import User
from helpdesk.oplog.record import record_change

LONG_URL = "https://hooks.example.com/" + "a1b2c3d4e5" * 20


def test_a_period_ending_before_it_starts_is_said_beside_the_dates(
    client: FlaskClient, admin: User
) -> None:
    login(client, admin)
    response = client.get(
        "/admin/changes?since=2026-12-10&until=2026-12-01", headers={"Accept-Language": "zh-CN"}
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    errors = re.findall(r'<label class="filter has-error">(.*?)</label>', html, re.S)
    assert len(errors) == 1 and "结束日期早于开始日期" in errors[0], errors
    assert 'value="2026-12-10"' in html and 'value="2026-12-01"' in html  # nothing lost


@pytest.mark.browser
def test_a_long_value_wraps_in_the_before_after_column(
    live_server: str, session: Session, admin: User
) -> None:
    record_change(session, admin, "webhook.subscribed", "webhook", 1, "hooks.example.com",
                  {"url": "https://old.example.com/"}, {"url": LONG_URL})  # fmt: skip
    session.commit()
    with launched() as browser:
        page = browser.new_page(viewport=PHONE, locale="zh-CN")
        page.set_default_timeout(15_000)
        page.goto(f"{live_server}/login")
        page.fill("#login", admin.login)
        page.fill("#password", password())
        page.click("button[type=submit]")
        page.goto(f"{live_server}/admin/changes")
        cell = page.locator("table.changes tbody tr td:nth-child(5)").first
        assert "a1b2c3d4e5" in cell.inner_text()
        cell.scroll_into_view_if_needed()
        page.screenshot(path=str(SHOTS / "changes-long-value-phone.png"), full_page=True)
        page.goto(f"{live_server}/admin/changes?since=2026-12-10&until=2026-12-01")
        page.screenshot(path=str(SHOTS / "changes-reversed-dates-phone.png"))
        page.goto(f"{live_server}/admin/changes")
        width = cell.evaluate("(td) => td.getBoundingClientRect().width")
        assert width < PHONE["width"], f"the before → after cell is {width} px wide"
