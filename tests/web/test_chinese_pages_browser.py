"""Chinese first, in a real browser (issue 12 item 10): the pages whose words a script writes
(console, wallboard, provider desk, chat) read in Chinese once their lists have loaded, and the
traceability page fits a 390 px phone without sideways scrolling."""

from __future__ import annotations

import pytest
from chromium import PHONE, SHOTS, launched
from realtime.live import Web, fresh_presence, rt_redis, web  # noqa: F401 (fixtures)
from system_packages import BROWSER, require

from helpdesk.demo import DEMO_PASSWORD
from web.test_chinese_pages import demo_pages, english_words  # noqa: F401 (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# (login or None for a visitor, page, a selector that shows the script has drawn its lists)
KEY_PAGES = [
    ("agent1", "/console", "#mine tbody tr, #queue tbody tr"),
    ("supervisor", "/wallboard", "#all tbody tr"),
    ("bank1", "/provider", "#org tbody tr"),
    (None, "/chat/", "#prechat-form"),
]


def _log_in(page, base: str, login: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{base}/login?lang=zh_CN")
    page.fill("#login", login)
    page.fill("#password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")


def test_live_pages_read_in_chinese_and_the_trace_fits_a_phone(
    web: Web,  # noqa: F811 (a real web process: the live pages load once their socket is up)
    demo_pages: dict[str, list[str]],  # noqa: F811
    fresh_presence: None,  # noqa: F811
) -> None:
    require(BROWSER)
    live_server = web.base

    found = []
    with launched() as browser:
        for login, path, ready in KEY_PAGES:
            context = browser.new_context(locale="zh-CN", viewport={"width": 1400, "height": 900})
            page = context.new_page()
            page.set_default_timeout(15_000)
            if login:
                _log_in(page, live_server, login)
            page.goto(f"{live_server}{path}")
            page.wait_for_selector(ready, state="attached")
            page.wait_for_load_state("networkidle")
            if path == "/wallboard":
                # a long first response reads in hours, not as 420分钟
                said = page.evaluate("[45, 1500, 25200, 27000].map((s) => Desk.duration(s))")
                assert said == ["45秒", "25分钟", "7小时", "7.5小时"]
            words = english_words(page.content())
            if words:
                found.append(f"{login} {path}: {sorted(words)}")
            page.screenshot(path=str(SHOTS / f"zh-{path.strip('/').replace('/', '-')}.png"))
            context.close()
        phone = browser.new_context(locale="zh-CN", viewport=PHONE)
        page = phone.new_page()
        _log_in(page, live_server, "agent1")
        number = demo_pages["<number>"][0]
        page.goto(f"{live_server}/tickets/{number}/trace")
        page.screenshot(path=str(SHOTS / "zh-trace-390.png"), full_page=True)
        width = page.evaluate("document.documentElement.scrollWidth")
        phone.close()
        subjects = _wallboard_subjects_on_a_phone(browser, live_server)
    assert found == [], "English on zh_CN pages:\n" + "\n".join(found)
    assert width <= 390, f"the trace page is {width} px wide on a 390 px phone"
    cut = [f"{text} ({shown}/{whole} px)" for text, shown, whole in subjects if whole > shown]
    assert subjects and not cut, f"wallboard subjects cut at 390 px: {cut}"


def _wallboard_subjects_on_a_phone(browser, base: str) -> list[tuple[str, int, int]]:  # type: ignore[no-untyped-def]
    """Each ticket subject on the supervisor's wallboard at 390 px: its text, the width it is
    shown in and the width it needs (they once showed three characters, 担保贷…)."""
    phone = browser.new_context(locale="zh-CN", viewport=PHONE)
    page = phone.new_page()
    page.set_default_timeout(15_000)
    _log_in(page, base, "supervisor")
    page.goto(f"{base}/wallboard")
    page.wait_for_selector("#all tbody tr[data-id]")
    page.screenshot(path=str(SHOTS / "zh-wallboard-390.png"), full_page=True)
    subjects = page.eval_on_selector_all(
        ".wall-list td.subject",
        "cells => cells.map((c) => [c.textContent, c.clientWidth, c.scrollWidth])",
    )
    phone.close()
    return [tuple(s) for s in subjects]
