"""In Chromium at 390 px: the phone console (来电) shows each live call as a card whose actions
are on screen, not a row as tall as its forms inside a box that scrolls sideways. Screenshots
at 1280 and 390 px: /tmp/shots-phone-console/."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session

from helpdesk.auth.models import Role, User
from helpdesk.channels.phone import service
from helpdesk.channels.phone.ivr import loader
from helpdesk.channels.phone.ivr.interpreter import Keys
from helpdesk.directory.models import Organisation, OrgKind

SHOTS = Path("/tmp/shots-phone-console")


@pytest.mark.browser
def test_live_calls_are_cards_with_their_actions_on_a_phone(
    live_server: str,
    session: Session,
    make_org: Callable[..., Organisation],
    make_user: Callable[..., User],
    signed_in_page: Callable[..., Any],
) -> None:
    from playwright.sync_api import expect

    SHOTS.mkdir(exist_ok=True)
    agent = make_user(Role.AGENT, make_org(OrgKind.SERVICE_CENTRE, categories=("info",)))
    script = loader.load("hotline")
    for n in range(3):  # three callers waiting for the hotline's agents
        record, _ = service.start_ivr(session, script, f"c-{n}", "twiml", f"05718700123{n}", "1")
        service.advance_ivr(session, record, script, Keys("0"))
        service.advance_ivr(session, record, script, Keys("03"))
    session.commit()
    for width in (1280, 390):
        page = signed_in_page(agent, width, 844)
        page.goto(f"{live_server}/phone/console")
        calls = page.locator("table.phone-calls").first.locator("tbody tr")
        expect(calls).to_have_count(3)
        page.screenshot(path=str(SHOTS / f"console-{width}.png"), full_page=True)
        for i in range(3):
            answer = calls.nth(i).get_by_role("button", name="接听")
            box = answer.bounding_box()
            assert box is not None and box["x"] + box["width"] <= width, (width, box)
            row = calls.nth(i).bounding_box()
            assert row is not None and row["height"] < 300, (width, row)
        assert page.evaluate("document.documentElement.scrollWidth") <= width
