"""话后整理 on the agent console in Debian's Chromium, against a real gevent web process: after a
hang-up the console shows 完成整理; pressing it makes the agent available again and writes the
wrap-up seconds on the call (issue 14 item 4)."""

from __future__ import annotations

from pathlib import Path

import pytest
from polling import wait_until
from realtime.live import Web
from sqlalchemy import select

from helpdesk.auth.models import Role
from helpdesk.channels.phone.models import CallRecord
from helpdesk.directory.models import OrgKind

from .test_live_browser import browser, page_for  # noqa: F401  (the Chromium fixture)
from .test_phone_browser import CALLER, PHONE, cti

pytestmark = [pytest.mark.browser, pytest.mark.slow]
SHOTS = Path("/tmp/shots-report")


def test_finish_wrap_up_after_a_call(
    browser,  # noqa: F811
    web: Web,
    app,
    session,
    make_org,
    make_user,
    fresh_presence,
):
    from playwright.sync_api import expect

    SHOTS.mkdir(exist_ok=True)
    centre = make_org(OrgKind.SERVICE_CENTRE, slug="centre", name="服务中心")
    agent = make_user(Role.AGENT, centre, name="李娜", extension="8001")
    console = page_for(browser, web, agent, "/console")
    done = console.locator("#wrap-up-done")
    expect(done).to_be_hidden()

    call = {"callId": "wrap-up-1", "direction": "in", "from": CALLER, "to": "057188888888"}
    cti(app, web, event="newCall", **call)
    cti(app, web, event="answer", answeringNumber="8001", **call)
    expect(done).to_be_hidden()  # on the call: nothing to finish yet
    cti(app, web, event="hangup", cause="normalClearing", **call)
    expect(done).to_be_visible()
    expect(done).to_have_text("完成整理")
    console.screenshot(path=str(SHOTS / "console-wrap-up-desktop.png"), full_page=True)
    console.set_viewport_size(PHONE)
    console.screenshot(path=str(SHOTS / "console-wrap-up-phone.png"), full_page=True)
    assert console.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    done.click()
    expect(done).to_be_hidden()
    expect(console.locator("[data-presence=available]")).to_have_class("on")

    def recorded() -> list[int]:
        query = select(CallRecord.wrap_up_seconds).where(CallRecord.call_id == "wrap-up-1")
        value = session.scalars(query).one()
        session.rollback()  # a fresh snapshot next time
        return [value] if value is not None else []

    (seconds,) = wait_until(recorded, 10, "the wrap-up seconds on the call")
    assert 0 <= seconds < 60
