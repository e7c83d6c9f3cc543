"""In Chromium, a reviewer on /portal/registrations: on a 390 px phone the enterprise's name
was squeezed into a table column one character a line, with no headings, and neither the
contact nor the phone to check the registration by; 驳回 (not undone) was one click.
Screenshots go to /tmp/shots-registrations-*.png."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session
from stdnum.cn import uscc

from helpdesk.auth.models import Role, User
from helpdesk.directory.models import Organisation, OrgKind
from helpdesk.portal import service
from helpdesk.portal.models import EnterpriseRegistration, RegistrationStatus

SHOTS = Path("/tmp")
NAME = "杭州西溪湿地文化贸易有限公司"


def _pending(session: Session) -> EnterpriseRegistration:
    body = "91330106MA2" + "XYWB10"
    registration = service.register(
        session, name=NAME, uscc=body + uscc.calc_check_digit(body + "0"), district="330106",
        contact_name="林女士", phone="13900001111", login="xixi", password="long-enough-1",
        approve=False,
    )  # fmt: skip
    session.commit()
    return registration


@pytest.mark.browser
def test_a_registration_reads_on_a_phone_and_refusing_asks_first(
    live_server: str,
    make_org: Callable[..., Organisation],
    make_user: Callable[..., User],
    session: Session,
    signed_in_page: Callable[..., Any],
) -> None:
    from playwright.sync_api import expect

    admin = make_user(Role.ADMIN, make_org(kind=OrgKind.SERVICE_CENTRE, slug="centre"))

    registration = _pending(session)
    for width in (390, 1366):
        page = signed_in_page(admin, width, 844)
        page.goto(f"{live_server}/portal/registrations")
        card = page.locator(".registration", has_text=NAME)
        page.screenshot(path=str(SHOTS / f"shots-registrations-{width}.png"), full_page=True)
        heading = card.locator("h2")
        expect(heading).to_have_text(NAME)
        line = heading.evaluate("h => parseFloat(getComputedStyle(h).lineHeight)")
        assert heading.bounding_box()["height"] < 2 * line  # one line, not one character each
        for words in ("联系人", "林女士", "联系电话", "139 0000 1111", "登录名", "xixi"):
            expect(card).to_contain_text(words)
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        page.close()

    page = signed_in_page(admin, 390, 844)
    page.goto(f"{live_server}/portal/registrations")
    asked: list[str] = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    with page.expect_event("dialog"):
        page.click(".registration button:has-text('驳回')")
    assert asked == [f"驳回 {NAME} 的注册？其账号将无法登录。"]
    expect(page.locator(".registration")).to_have_count(1)  # 取消: still waiting
    session.expire_all()
    assert registration.status is RegistrationStatus.PENDING
    page.once("dialog", lambda dialog: dialog.accept())
    page.click(".registration button:has-text('驳回')")
    expect(page.locator(".flash-success")).to_contain_text("已驳回")
    session.expire_all()
    assert registration.status is RegistrationStatus.REJECTED
