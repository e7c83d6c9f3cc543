"""In Chromium: an enterprise types a need on the portal and a guide is suggested as it types;
opening it and leaving the form unsent is counted as deflection. The guide page at phone width
has nothing wider than the screen."""

from __future__ import annotations

from pathlib import Path

import pytest
from chromium import PHONE, SHOTS, launched
from polling import wait_until
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from system_packages import BROWSER, require

from helpdesk.kb.models import Deflection, DeflectionEvent

from .conftest import Guides


def _counted(session: Session, event: DeflectionEvent) -> int:
    session.rollback()  # read what the server committed since
    stmt = select(func.count()).select_from(Deflection).where(Deflection.event == event)
    return session.scalar(stmt) or 0


@pytest.mark.browser
def test_a_guide_is_suggested_as_the_enterprise_types_and_deflection_is_counted(
    live_server: str, guides: Guides, session: Session, request: pytest.FixtureRequest
) -> None:
    require(BROWSER)
    from playwright.sync_api import expect

    password = request.config.pluginmanager.get_plugin(
        str(Path(__file__).resolve().parent.parent / "conftest.py")
    ).PASSWORD  # type: ignore[union-attr]
    with launched() as browser:
        context = browser.new_context(viewport=PHONE, locale="zh-CN")
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.goto(f"{live_server}/portal/login")
        page.fill("#login", guides.ent_user.login)
        page.fill("#password", password)
        page.click("button[type=submit]")
        page.goto(f"{live_server}/portal/needs/new")
        expect(page.locator("#kb-suggestions")).to_be_hidden()

        page.locator("[name=subject]").press_sequentially("想办理担保贷款", delay=40)
        suggestion = page.locator("#kb-suggestions a", has_text="融资担保贷款申请指南")
        expect(suggestion).to_be_visible()
        expect(page.locator("#kb-suggestions")).not_to_contain_text("征求意见稿")
        page.screenshot(path=str(SHOTS / "shot-kb-suggest-phone.png"), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        wait_until(lambda: _counted(session, DeflectionEvent.SHOWN) == 1, 10, "shown")

        with context.expect_page() as opened:
            suggestion.click()
        guide = opened.value
        expect(guide.locator("h1")).to_have_text("小微企业融资担保贷款申请指南")
        wait_until(lambda: _counted(session, DeflectionEvent.OPENED) == 1, 10, "opened")
        guide.screenshot(path=str(SHOTS / "shot-kb-article-phone.png"), full_page=True)
        assert guide.evaluate("document.documentElement.scrollWidth") <= 390

        page.goto(f"{live_server}/portal/")  # the need is left unsent
        wait_until(lambda: _counted(session, DeflectionEvent.ABANDONED) == 1, 10, "abandoned")
