"""The portal's resolution view in a real browser at phone width: an enterprise user who logs
in at the staff login lands on the portal, opens its resolved need, reads how it was resolved
and the file it sent, confirms and is asked to rate. Nothing runs past the screen's edge.

Needs Debian's Chromium (`apt-get install chromium fonts-noto-cjk`); fails, never skips.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from typing import Any

import pytest
from chromium import SHOTS
from sqlalchemy.orm import Session

from helpdesk.auth.models import Role, User
from helpdesk.directory.models import Enterprise, Organisation, OrgKind
from helpdesk.portal import files
from helpdesk.tickets import service
from helpdesk.tickets.models import Status, Ticket

SUMMARY = "已为您对接杭州银行科技支行，担保贷款额度100万元已审批，请携带营业执照原件到网点签约。"


@pytest.mark.browser
def test_an_enterprise_reads_the_resolution_on_a_phone_and_confirms(
    live_server: str,
    session: Session,
    make_org: Callable[..., Organisation],
    make_user: Callable[..., User],
    make_enterprise: Callable[..., Enterprise],
    make_ticket: Callable[..., Ticket],
    signed_in_page: Callable[..., Any],
) -> None:
    from playwright.sync_api import expect
    from werkzeug.datastructures import FileStorage

    enterprise = make_enterprise(name="杭州湖滨商贸有限公司", district="330102")
    owner = make_user(Role.ENTERPRISE, enterprise_id=enterprise.id, name="周杰")
    make_org(OrgKind.SERVICE_CENTRE, slug="centre", name="服务中心")
    bank = make_org(slug="hz-bank", name="杭州银行科技支行")
    banker = make_user(Role.PROVIDER, bank, name="陈静")
    ticket = make_ticket(
        enterprise_id=enterprise.id,
        subject="申请担保贷款，用于采购年货备货资金周转",
        organisation_id=bank.id,
    )
    service.accept(session, banker, ticket)
    upload = FileStorage(io.BytesIO(b"%PDF-1.4"), filename="2025年度财务报表（审计后）.pdf")
    sent = files.store(session, upload, ticket.id, 1024 * 1024, owner.id)
    service.comment(session, owner, ticket, "财务报表见附件", attachments=[sent])
    service.resolve(session, banker, ticket, SUMMARY)
    session.commit()

    page = signed_in_page(owner, 390, 844)
    expect(page).to_have_url(re.compile(r"/portal/$"))

    page.click(f"text={ticket.number}")
    expect(page.locator("#resolution")).to_have_text(SUMMARY)
    expect(page.locator("#state h2")).to_have_text("办理结果")
    expect(page.locator("#ticket-status")).to_have_text("已办结")
    timeline = page.locator("#timeline")
    sent_file = timeline.get_by_role("link", name="2025年度财务报表（审计后）.pdf")
    expect(sent_file).to_be_visible()
    expect(timeline).not_to_contain_text("[")
    widest = page.evaluate("document.documentElement.scrollWidth")
    page.screenshot(path=str(SHOTS / "portal-resolution-phone.png"), full_page=True)
    assert widest <= 390, f"the page is {widest}px wide on a 390px phone"

    page.click("#confirm")
    expect(page.locator("#ticket-status")).to_have_text("已关闭")
    expect(page.locator("#rate-form")).to_be_visible()
    expect(page.locator("#resolution")).to_have_text(SUMMARY)
    session.expire_all()
    assert session.get(Ticket, ticket.id).status is Status.CLOSED  # type: ignore[union-attr]
