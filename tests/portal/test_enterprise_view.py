"""What the enterprise sees of its ticket (issue 12, item 9): what was asked of it, the due
time, the resolution, its files by name and a timeline in plain words, on the portal and
through the API; never the routing trace, candidate organisations, rule tags or internal
notes. And an enterprise user who logs in at the staff login lands on the portal (item 13)."""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from helpdesk import clock
from helpdesk.auth.models import Role, User
from helpdesk.directory.models import Enterprise, Organisation, OrgKind
from helpdesk.portal.limiter import limiter
from helpdesk.sla.calendar import HANGZHOU
from helpdesk.sla.models import TicketSla
from helpdesk.tickets import service
from helpdesk.tickets.models import Ticket
from helpdesk.web import local_time

PASSWORD = "secret-pass"
MONDAY_9 = datetime(2026, 11, 23, 9, 0, tzinfo=HANGZHOU)
# Words that only the routing decision and staff hold: none may reach the enterprise.
SECRETS = ("rival-bank", "竞争银行", "finance-rule-7", "vip-watch", "企业资质存疑")


@dataclass
class Story:
    owner: User
    agent: User
    banker: User
    bank: Organisation
    ticket: Ticket


@pytest.fixture(autouse=True)
def _fresh_limits(app: Flask) -> Iterator[None]:
    limiter.reset()
    clock.freeze(MONDAY_9)
    yield
    clock.unfreeze()
    limiter.reset()


@pytest.fixture
def story(
    session: Session,
    make_org: Callable[..., Organisation],
    make_user: Callable[..., User],
    make_enterprise: Callable[..., Enterprise],
    make_ticket: Callable[..., Ticket],
) -> Story:
    """A need routed by a rule to a bank (a rival bank was a candidate), with an internal note."""
    enterprise: Enterprise = make_enterprise(name="杭州湖滨商贸有限公司", district="330102")
    owner = make_user(Role.ENTERPRISE, enterprise_id=enterprise.id, login="owner", name="陈总")
    centre = make_org(OrgKind.SERVICE_CENTRE, slug="centre", name="服务中心")
    bank = make_org(slug="hz-bank", name="杭州银行科技支行")
    make_org(slug="rival-bank", name="竞争银行")
    agent = make_user(Role.AGENT, centre, name="李娜")
    banker = make_user(Role.PROVIDER, bank, name="陈静")
    ticket = make_ticket(agent, enterprise_id=enterprise.id, subject="申请担保贷款")
    routing = {
        "rule": "finance-rule-7",
        "organisation": "hz-bank",
        "via": "candidate",
        "tags": ["vip-watch"],
        "trace": [{"rule": "finance-rule-7", "matched": True}],
        "attempts": [
            {"organisation": "rival-bank", "source": "candidate", "outcome": "over capacity"},
            {"organisation": "hz-bank", "source": "candidate", "outcome": "chosen"},
        ],
    }
    service.assign(session, None, ticket, bank.id, rule="finance-rule-7", routing=routing)
    service.accept(session, banker, ticket)
    service.comment(session, banker, ticket, "企业资质存疑，先核实", internal=True)
    session.commit()
    return Story(owner, agent, banker, bank, ticket)


def _portal(client: FlaskClient, number: str) -> str:
    response = client.get(f"/portal/tickets/{number}")
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response.get_data(as_text=True)


def _section(page: str, section_id: str) -> str:
    found = re.search(rf'<section[^>]*id="{section_id}".*?</section>', page, re.S)
    assert found, f"no #{section_id} on the page"
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", found.group(0)))


def _login(client: FlaskClient, login: str = "owner") -> None:
    response = client.post("/portal/login", data={"login": login, "password": PASSWORD})
    assert response.status_code == 302


def test_the_portal_says_what_is_asked_of_the_enterprise_and_when_it_is_due(
    client: FlaskClient, session: Session, story: Story
) -> None:
    _login(client)
    number = story.ticket.number
    sla = session.get(TicketSla, story.ticket.id)
    assert sla is not None and sla.resolution_due is not None
    due = _section(_portal(client, number), "state")
    assert "预计办结时间" in due and local_time(sla.resolution_due) in due
    assert "承办单位 杭州银行科技支行" in due

    service.pend(session, story.banker, story.ticket, "请上传营业执照复印件")
    session.commit()
    page = _portal(client, number)
    asked = _section(page, "state")
    assert "需要您补充" in asked and "请上传营业执照复印件" in asked
    assert "办理时限暂停，收到您的回复后继续计时" in asked
    assert not any(secret in page for secret in SECRETS)


def test_files_show_by_name_and_the_timeline_speaks_plain_words(
    client: FlaskClient, session: Session, story: Story
) -> None:
    _login(client)
    number = story.ticket.number
    upload = {"body": "营业执照见附件", "file": (io.BytesIO(b"%PDF-1.4"), "营业执照.pdf")}
    assert client.post(f"/portal/tickets/{number}/reply", data=upload).status_code == 302
    only_file = {"body": "", "file": (io.BytesIO(b"%PDF-1.4"), "章程.pdf")}
    assert client.post(f"/portal/tickets/{number}/reply", data=only_file).status_code == 302
    service.resolve(session, story.banker, story.ticket, "已为您办理担保，额度100万元")
    session.commit()

    page = _portal(client, number)
    timeline = _section(page, "timeline")
    assert "[文件" not in page and "[File" not in page
    assert re.search(r'<a href="/portal/files/[^"]+"[^>]*>营业执照\.pdf</a>', page)
    assert re.search(r'<a href="/portal/files/[^"]+"[^>]*>章程\.pdf</a>', page)
    assert "已派单 承办单位：杭州银行科技支行" in timeline
    assert "办结说明：已为您办理担保，额度100万元" in timeline
    assert "营业执照见附件" in timeline
    assert "办理结果" in _section(page, "state")
    assert "已为您办理担保，额度100万元" in _section(page, "state")
    assert not any(secret in page for secret in SECRETS)

    staff = client.application.test_client()
    staff.post("/login", data={"login": story.agent.login, "password": PASSWORD})
    detail = staff.get(f"/tickets/{number}").get_data(as_text=True)
    assert "营业执照.pdf" in detail and "章程.pdf" in detail and "[File" not in detail


def test_the_api_gives_the_enterprise_only_public_events(
    client: FlaskClient, session: Session, story: Story
) -> None:
    service.pend(session, story.banker, story.ticket, "请上传营业执照复印件")
    service.comment(session, story.owner, story.ticket, "已上传")
    session.commit()
    _login(client)
    response = client.get(f"/api/v1/tickets/{story.ticket.number}/events")
    assert response.status_code == 200
    body: dict[str, Any] = response.get_json()
    text = response.get_data(as_text=True)
    assert not any(secret in text for secret in SECRETS)
    kinds = [e["kind"] for e in body["items"]]
    assert kinds == ["created", "assigned", "accepted", "pended", "commented", "resumed"]
    assigned = body["items"][1]
    assert assigned["data"] == {"organisation": "杭州银行科技支行"}
    assert body["items"][3]["data"] == {"reason": "请上传营业执照复印件"}
    assert not any(e["internal"] for e in body["items"])

    staff = client.application.test_client()
    staff.post("/login", data={"login": story.agent.login, "password": PASSWORD})
    full = staff.get(f"/api/v1/tickets/{story.ticket.number}/events").get_json()
    assert full["items"][1]["data"]["routing"]["tags"] == ["vip-watch"]


def test_an_enterprise_at_the_staff_login_is_taken_to_the_portal(
    client: FlaskClient, story: Story
) -> None:
    response = client.post(
        "/login", data={"login": "owner", "password": PASSWORD, "next": "/tickets"}
    )
    assert response.status_code == 302 and response.headers["Location"].endswith("/portal/")
    # Logged in already: the staff pages send it on as well, a ticket to its portal page.
    assert client.get("/login").headers["Location"].endswith("/portal/")
    assert client.get("/").headers["Location"].endswith("/portal/")
    number = story.ticket.number
    assert (
        client.get(f"/tickets/{number}").headers["Location"].endswith(f"/portal/tickets/{number}")
    )
