"""Alerts kept as notifications (issue 12 item 12): someone offline when an SLA step fires or a
ticket is sent to them sees it at their next login, with an unread count in the header, and
"mark all read" clears the count. Written where the alert is raised, in its transaction."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from helpdesk import clock
from helpdesk.auth.models import Role
from helpdesk.directory.models import OrgKind
from helpdesk.sla import escalation
from helpdesk.sla.models import PENDING, SlaStage
from helpdesk.tickets import service

PASSWORD = "secret-pass"  # tests/conftest.py's, for every made user


def login(client, user) -> None:  # type: ignore[no-untyped-def]
    reply = client.post("/login", data={"login": user.login, "password": PASSWORD})
    assert reply.status_code in (302, 303)


def _unread(html: str) -> int:
    found = re.search(r'class="unread-count"[^>]*>(\d+)<', html)
    return int(found.group(1)) if found else 0


def _fire_due(session) -> None:  # type: ignore[no-untyped-def]
    due = select(SlaStage.id).where(SlaStage.state == PENDING, SlaStage.fire_at <= clock.now())
    for stage_id in session.scalars(due.order_by(SlaStage.fire_at)).all():
        escalation.fire(session, stage_id, wait=False)


def test_an_offline_person_finds_escalations_and_transfers_at_next_login(
    client, session, make_org, make_user, make_ticket
):  # type: ignore[no-untyped-def]
    centre = make_org(OrgKind.SERVICE_CENTRE, slug="centre")
    bank = make_org(slug="bank", name="杭州银行科技支行")
    agent = make_user(Role.AGENT, centre, name="李娜")
    banker = make_user(Role.PROVIDER, bank, name="陈静")
    chief = make_user(Role.SUPERVISOR, centre, name="王敏")
    ticket = make_ticket(agent, organisation_id=bank.id, subject="申请担保贷款")
    number = ticket.number

    # While everyone is offline: the ticket is sent on to the bank's 陈静, and its first
    # response runs late all the way to 督办.
    service.transfer(session, agent, ticket, bank.id, banker.id, "请银行直接联系企业")
    session.commit()
    clock.freeze(clock.now() + timedelta(days=10))
    _fire_due(session)
    clock.unfreeze()

    login(client, banker)
    page = client.get("/notifications").get_data(as_text=True)
    assert _unread(page) >= 2  # the transfer and at least the warning
    assert "有工单转派给您" in page and number in page and "申请担保贷款" in page
    assert "来自 李娜" in page and "请银行直接联系企业" in page
    assert "时限预警" in page

    header = client.get("/tickets").get_data(as_text=True)
    assert _unread(header) == _unread(page)
    client.post("/notifications/read")
    assert _unread(client.get("/tickets").get_data(as_text=True)) == 0
    assert "全部标为已读" not in client.get("/notifications").get_data(as_text=True)

    # 督办 reaches the centre's supervisors, kept for them too.
    client.post("/logout")
    login(client, chief)
    page = client.get("/notifications").get_data(as_text=True)
    assert "督办" in page and number in page and _unread(page) >= 1


def test_opening_the_ticket_reads_its_alerts(client, session, make_org, make_user, make_ticket):  # type: ignore[no-untyped-def]
    """张伟 opened the ticket a colleague sent him; the header still said 通知 2 until he
    found "mark all read". Opening the ticket reads its alerts, and only its alerts."""
    centre = make_org(OrgKind.SERVICE_CENTRE, slug="centre")
    agent = make_user(Role.AGENT, centre, name="李娜")
    colleague = make_user(Role.AGENT, centre, name="张伟")
    sent = make_ticket(agent, subject="咨询货物运输保险")
    other = make_ticket(agent, subject="咨询仓库财产保险")
    for ticket in (sent, other):
        service.transfer(session, agent, ticket, centre.id, colleague.id, "请张伟跟进")
    session.commit()

    login(client, colleague)
    assert _unread(client.get("/tickets").get_data(as_text=True)) == 2
    client.get(f"/tickets/{sent.number}")
    assert _unread(client.get("/tickets").get_data(as_text=True)) == 1
    client.get(f"/tickets/{sent.number}")  # nothing left to read: nothing written
    assert _unread(client.get("/tickets").get_data(as_text=True)) == 1
