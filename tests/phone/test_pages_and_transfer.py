"""Screen pop to the answering agent only, call transfer with its ticket, the phone pages."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from helpdesk import create_app
from helpdesk.auth.models import Role
from helpdesk.channels.phone import service
from helpdesk.channels.phone.config import phone_config
from helpdesk.channels.phone.models import CallRecord
from helpdesk.channels.phone.sockets import SCREEN_POP
from helpdesk.directory.models import OrgKind
from helpdesk.realtime.rooms import DESK
from helpdesk.tickets.models import TicketEvent


@pytest.fixture
def socket_app(settings):
    """A second app on the same database with Socket.IO bound (threading, in-process)."""
    from helpdesk.extensions import socketio
    from helpdesk.realtime import init_realtime
    from helpdesk.realtime.store import MemoryStore, store_for

    memory = store_for(None)  # presence without a Redis: nobody on a call from earlier tests
    assert isinstance(memory, MemoryStore)
    memory.clear()
    application = create_app(settings)
    application.config["WTF_CSRF_ENABLED"] = False
    init_realtime(application, None, async_mode="threading")
    yield application, socketio
    socketio.server = None  # leave no server behind for the other tests


def test_screen_pop_reaches_the_answering_agent_and_nobody_else(
    socket_app, session, make_org, make_user, make_enterprise, make_ticket, log_in
):
    application, socketio = socket_app
    centre = make_org(OrgKind.SERVICE_CENTRE)
    answering = make_user(Role.AGENT, centre, extension="8001")
    other = make_user(Role.AGENT, centre, extension="8002")
    supervisor = make_user(Role.SUPERVISOR, centre, extension="8003")
    enterprise = make_enterprise(district="330106", name="杭州西湖茶叶商贸有限公司")
    make_ticket(enterprise_id=enterprise.id, district="330106")
    phone = enterprise.contacts[0].phone

    clients = {}
    for user in (answering, other, supervisor):
        http = application.test_client()
        log_in(http, user)
        clients[user.id] = socketio.test_client(application, namespace=DESK, flask_test_client=http)
        assert clients[user.id].is_connected(DESK)
        clients[user.id].get_received(DESK)  # drop the "ready" greeting

    cti = application.test_client()
    url = f"/api/v1/cti/{phone_config(application).cti_token}"
    base = {"from": phone[3:], "to": "12345", "direction": "in", "callId": "pop-1"}
    cti.post(url, data={"event": "newCall", **base})
    assert (
        cti.post(url, data={"event": "answer", "answeringNumber": "8001", **base}).status_code
        == 200
    )

    received = clients[answering.id].get_received(DESK)
    # The answering agent's presence turns busy (to them and the supervisors): no caller in it.
    busy = {"name": "presence", "namespace": DESK}
    assert [m["name"] for m in received] == [SCREEN_POP, "presence"]
    pop = received[0]["args"][0]
    assert pop["call_id"] == "pop-1"
    assert pop["caller"]["enterprise"]["name"] == "杭州西湖茶叶商贸有限公司"
    assert pop["caller"]["number"] == phone and len(pop["caller"]["recent_tickets"]) == 1
    assert clients[other.id].get_received(DESK) == []
    seen = clients[supervisor.id].get_received(DESK)
    assert [{k: m[k] for k in busy} for m in seen] == [busy]
    assert seen[0]["args"][0]["user_id"] == answering.id
    assert (seen[0]["args"][0]["state"], seen[0]["args"][0]["reason"]) == ("busy", "call")
    for client in clients.values():
        client.disconnect(DESK)


def test_transfer_moves_the_call_and_its_ticket(client, session, make_org, make_user, log_in):
    centre = make_org(OrgKind.SERVICE_CENTRE, categories=("info",))
    station = make_org(OrgKind.WORKSTATION, slug="xihu-station", categories=("info",))
    agent = make_user(Role.AGENT, centre, extension="8001")
    from helpdesk.channels.phone.ivr import loader

    script = loader.load("hotline")
    record, _ = service.start_ivr(session, script, "tr-1", "twiml", "057187001234", "1")
    from helpdesk.channels.phone.ivr.interpreter import Keys

    service.advance_ivr(session, record, script, Keys("0"))
    service.advance_ivr(session, record, script, Keys("03"))
    service.answer(session, record, agent)
    session.commit()
    assert record.ticket_id is not None

    log_in(client, agent)
    reply = client.post(
        "/phone/calls/tr-1/transfer",
        data={"kind": "queue", "target": "xihu-station", "mode": "consult", "reason": "属地服务"},
    )
    assert reply.status_code == 302
    session.expire_all()
    record = session.scalars(select(CallRecord).where(CallRecord.call_id == "tr-1")).one()
    assert (
        record.transfers[0]["target"] == "xihu-station" and record.transfers[0]["mode"] == "consult"
    )
    moved = select(TicketEvent).where(
        TicketEvent.ticket_id == record.ticket_id, TicketEvent.kind == "transferred"
    )
    assert session.scalars(moved).first() is None  # consulting: nothing moves yet
    assert client.post("/phone/calls/tr-1/consult/complete").status_code == 302
    session.expire_all()
    assert record.transfers[0]["state"] == "completed"
    event = session.scalars(
        select(TicketEvent).where(
            TicketEvent.ticket_id == record.ticket_id, TicketEvent.kind == "transferred"
        )
    ).one()
    assert event.data["to"]["organisation_id"] == station.id and "属地服务" in event.data["reason"]

    refused = client.post(
        "/phone/calls/tr-1/transfer", data={"kind": "queue", "target": "nowhere", "reason": "x"}
    )
    assert refused.status_code == 422 and len(record.transfers) == 1  # the form shown again


def test_a_refused_transfer_says_why_in_chinese(client, session, make_org, make_user, log_in):
    """The console's flash named the service's English ("转接未成功：no agent '9999' to transfer
    to", "a reason is required"); a Monday agent reads why in Chinese, and a reason past 500
    characters is refused, not stored on the call."""
    centre = make_org(OrgKind.SERVICE_CENTRE, categories=("info",))
    agent = make_user(Role.AGENT, centre, extension="8001")
    from helpdesk.channels.phone.ivr import loader
    from helpdesk.channels.phone.ivr.interpreter import Keys

    script = loader.load("hotline")
    record, _ = service.start_ivr(session, script, "tr-zh", "twiml", "057187001234", "1")
    service.advance_ivr(session, record, script, Keys("0"))
    service.advance_ivr(session, record, script, Keys("03"))
    service.answer(session, record, agent)
    session.commit()
    log_in(client, agent)

    def refusal(**form: str) -> str:
        data = {"kind": "agent", "mode": "blind", **form}
        reply = client.post("/phone/calls/tr-zh/transfer", data=data)
        assert reply.status_code == 422  # the console again, with what was typed
        page = reply.get_data(as_text=True)
        assert "转接未成功" in page
        return page

    assert "请填写原因" in refusal(target="8002", reason="")
    page = refusal(target="9999", reason="转专岗")
    assert "没有使用该分机或姓名的坐席" in page and "no agent" not in page
    assert "内容太长" in refusal(target="8002", reason="长" * 501)
    session.expire_all()
    assert not record.transfers


def test_a_transfer_by_name_and_a_refused_one_keeps_what_was_typed(
    client, session, make_org, make_user, log_in
):
    """The console's transfer box took only an extension or an organisation's code, which the
    page never showed: "张伟" or "西湖区商务局工作站" was refused, and the refusal emptied the
    box and the reason. The page now suggests colleagues and organisations, takes names, and
    a refused transfer comes back with what was typed."""
    centre = make_org(OrgKind.SERVICE_CENTRE, categories=("info",))
    make_org(OrgKind.WORKSTATION, slug="xihu-station", name="西湖区商务局工作站")
    agent = make_user(Role.AGENT, centre, extension="8001", name="李娜")
    colleague = make_user(Role.AGENT, centre, extension="8002", name="张伟")
    from helpdesk.channels.phone.ivr import loader
    from helpdesk.channels.phone.ivr.interpreter import Keys

    script = loader.load("hotline")
    for call_id in ("nm-1", "nm-2"):
        record, _ = service.start_ivr(session, script, call_id, "twiml", "057187001234", "1")
        service.advance_ivr(session, record, script, Keys("0"))
        service.advance_ivr(session, record, script, Keys("03"))
        service.answer(session, record, agent)
    session.commit()
    log_in(client, agent)

    page = client.get("/phone/console").get_data(as_text=True)
    # a call is put through (转接); 转派 is what one does with a ticket
    assert '<button class="button">转接电话</button>' in page and ">转派<" not in page
    assert '<option value="8002">张伟</option>' in page
    assert '<option value="西湖区商务局工作站">' in page

    refused = client.post(
        "/phone/calls/nm-1/transfer",
        data={"kind": "agent", "target": "王五", "mode": "consult", "reason": "企业融资问题"},
    )
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert "转接未成功" in page
    assert 'value="王五"' in page and 'value="企业融资问题"' in page
    assert '<option value="consult" selected>' in page

    to_colleague = {"kind": "agent", "target": "张伟", "mode": "blind", "reason": "专业问题"}
    sent = client.post("/phone/calls/nm-1/transfer", data=to_colleague, follow_redirects=True)
    assert "来电已转接至 张伟（8002）" in sent.get_data(as_text=True)
    to_station = {"kind": "queue", "target": "西湖区商务局工作站", "reason": "属地服务"}
    sent = client.post("/phone/calls/nm-2/transfer", data=to_station, follow_redirects=True)
    page = sent.get_data(as_text=True)
    assert "来电已转接至 西湖区商务局工作站" in page and "queue:" not in page
    # both calls went elsewhere: the console has no call of 李娜's to show again
    assert service.current_call(session, agent) is None
    session.expire_all()
    calls = {r.call_id: r for r in session.scalars(select(CallRecord))}
    assert calls["nm-1"].transfers[0]["agent"] == colleague.id
    assert calls["nm-2"].transfers[0]["target"] == "西湖区商务局工作站"


def test_consult_transfer_cancelled_moves_nothing_and_frees_the_colleague(
    socket_app, session, make_org, make_user, log_in
):
    """The colleague's pop says who sent it, why and the ticket; they are busy while consulted;
    a cancel leaves the ticket where it was and the colleague free."""
    from helpdesk.channels.phone.ivr import loader
    from helpdesk.channels.phone.ivr.interpreter import Keys
    from helpdesk.realtime import presence
    from helpdesk.tickets.models import Ticket

    application, socketio = socket_app
    centre = make_org(OrgKind.SERVICE_CENTRE, categories=("info",))
    first = make_user(Role.AGENT, centre, name="李娜", extension="8001")
    colleague = make_user(Role.AGENT, centre, name="张伟", extension="8002")
    script = loader.load("hotline")
    record, _ = service.start_ivr(session, script, "cs-1", "twiml", "057187001234", "1")
    service.advance_ivr(session, record, script, Keys("0"))
    service.advance_ivr(session, record, script, Keys("03"))
    service.answer(session, record, first)
    session.commit()
    ticket = session.get(Ticket, record.ticket_id)
    held_by = (ticket.assigned_org_id, ticket.assignee_id)

    http = application.test_client()
    log_in(http, colleague)
    desk = socketio.test_client(application, namespace=DESK, flask_test_client=http)
    desk.get_received(DESK)
    agent = application.test_client()
    log_in(agent, first)
    reply = agent.post(
        "/phone/calls/cs-1/transfer",
        data={"kind": "agent", "target": "8002", "mode": "consult", "reason": "融资政策问题"},
    )
    assert reply.status_code == 302
    pops = [m["args"][0] for m in desk.get_received(DESK) if m["name"] == SCREEN_POP]
    sent = pops[-1]["transfer"]
    shown = (sent["by_name"], sent["reason"], sent["ticket"])
    assert shown == ("李娜", "融资政策问题", ticket.number)
    assert presence.get(colleague.id)["state"] == "busy"
    assert presence.get(first.id)["state"] == "busy"  # the first agent is still on the call

    log_in(agent, first)
    assert agent.post("/phone/calls/cs-1/consult/cancel").status_code == 302
    session.expire_all()
    assert (ticket.assigned_org_id, ticket.assignee_id) == held_by
    assert record.transfers[-1]["state"] == "cancelled"
    assert presence.get(colleague.id)["state"] != "busy"
    assert presence.get(first.id)["state"] == "busy"
    assert agent.post("/phone/calls/cs-1/consult/cancel").status_code == 302  # nothing to end
    desk.disconnect(DESK)


def test_a_blind_transfer_frees_the_agent_and_the_colleague_is_on_the_call(
    socket_app, session, make_org, make_user
):
    from helpdesk.auth.models import ApiToken
    from helpdesk.auth.passwords import new_token
    from helpdesk.realtime import presence

    application, _ = socket_app
    centre = make_org(OrgKind.SERVICE_CENTRE)
    first = make_user(Role.AGENT, centre, extension="8001")
    colleague = make_user(Role.AGENT, centre, extension="8002")
    token, digest = new_token()
    session.add(ApiToken(user_id=first.id, name="softphone", token_hash=digest))
    session.commit()
    http = application.test_client()
    url = f"/api/v1/cti/{phone_config(application).cti_token}"
    base = {"from": "057187001234", "to": "12345", "direction": "in", "callId": "bt-1"}

    def states() -> tuple[str, str]:
        with application.app_context():
            return presence.get(first.id)["state"], presence.get(colleague.id)["state"]

    http.post(url, data={"event": "newCall", **base})
    http.post(url, data={"event": "answer", "answeringNumber": "8001", **base})
    assert states()[0] == "busy"
    moved = http.post(
        "/api/v1/calls/bt-1/transfer",
        json={"kind": "agent", "target": "8002", "mode": "blind", "reason": "专业问题"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert moved.status_code == 200 and moved.get_json()["number"] == "8002"
    first_state, colleague_state = states()
    assert first_state != "busy" and colleague_state == "busy"
    http.post(url, data={"event": "hangup", "cause": "normalClearing", **base})
    assert "busy" not in states()


def test_transfer_api_needs_staff_and_names_bad_fields(client, session, make_org, make_user):
    from helpdesk.auth.models import ApiToken
    from helpdesk.auth.passwords import new_token

    agent = make_user(Role.AGENT, make_org(OrgKind.SERVICE_CENTRE), extension="8001")
    token, digest = new_token()
    session.add(ApiToken(user_id=agent.id, name="pbx", token_hash=digest))
    session.add(CallRecord(call_id="api-1", source="cti", direction="in", status="answered"))
    session.commit()
    headers = {"Authorization": f"Bearer {token}"}
    bad = client.post(
        "/api/v1/calls/api-1/transfer",
        json={"kind": "fax", "target": "1", "reason": "r"},
        headers=headers,
    )
    assert bad.status_code == 422 and bad.get_json()["error"]["field"] == "kind"
    ok = client.post(
        "/api/v1/calls/api-1/transfer",
        json={"kind": "number", "target": "057187001100", "reason": "法律援助"},
        headers=headers,
    )
    assert ok.get_json() == {
        "action": "dial",
        "number": "+8657187001100",
        "mode": "blind",
        "ticket": None,
    }
    assert client.post("/api/v1/calls/nope/transfer", json={}, headers=headers).status_code == 404
    assert client.post("/api/v1/calls/api-1/transfer", json={}).status_code == 401


def test_simulator_and_console_pages(client, session, make_org, make_user, log_in):
    agent = make_user(Role.AGENT, make_org(OrgKind.SERVICE_CENTRE))
    session.add(
        CallRecord(
            call_id="m-1",
            source="cti",
            direction="in",
            status="ended",
            missed=True,
            from_number="057187001234",
            caller_e164="+8657187001234",
            ivr_script="hotline",
            ivr_path=[
                {"node": "welcome"},
                {"node": "main_menu", "input": "2"},
                {"node": "finance_menu", "input": "2"},
            ],
        )
    )
    session.commit()
    log_in(client, agent)
    page = client.get("/phone/simulator")
    assert page.status_code == 200 and "/ivr/voice/" in page.get_data(as_text=True)
    console = client.get("/phone/console").get_data(as_text=True)
    # the caller's choices in words, not the script's node ids (issue 12 item 10)
    assert "57187001234" in console and "按 2：投资融资 → 按 2：投资融资·担保" in console
    assert "welcome" not in console
    client.post("/phone/calls/m-1/called-back")
    assert service.callbacks(session) == []


def test_calls_are_worked_by_centre_staff_only(client, session, make_enterprise, make_user, log_in):
    """Issue 16 item 5: an enterprise user, logged in with a page's CSRF token, queued calls
    from any number through the simulator's webhook and ended a PBX call by its CallSid."""
    import re

    enterprise = make_enterprise()
    owner = make_user(Role.ENTERPRISE, enterprise_id=enterprise.id)
    session.add(CallRecord(call_id="CA-live", source="twiml", direction="in", status="ringing"))
    session.commit()
    log_in(client, owner)
    html = client.get("/portal/", follow_redirects=True).get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    headers = {"X-CSRFToken": token}
    new_call = {"CallSid": "CA-forged", "From": "13800138000", "To": "110"}
    assert client.post("/ivr/voice/hotline", data=new_call, headers=headers).status_code == 403
    ended = {"CallSid": "CA-live", "CallStatus": "completed"}
    assert client.post("/ivr/voice/hotline", data=ended, headers=headers).status_code == 403
    assert client.get("/phone/simulator").status_code == 403
    assert client.get("/phone/calls/CA-live/status").status_code == 403
    session.expire_all()
    assert session.scalars(select(CallRecord.call_id)).all() == ["CA-live"]
    assert (
        session.get(CallRecord, session.scalars(select(CallRecord.id)).one()).status.value
        == "ringing"
    )


def test_consult_transfer_from_the_pbx_by_cti_events(
    socket_app, session, make_org, make_user, log_in
):
    """consultStart / consultComplete / consultCancel (README, Telephony): the colleague's pop
    says who sent it, why and the ticket, and they turn busy; complete moves the call and the
    ticket, cancel moves nothing; duplicates and bad events change nothing."""
    from helpdesk.realtime import presence
    from helpdesk.tickets import service as tickets

    application, socketio = socket_app
    centre = make_org(OrgKind.SERVICE_CENTRE, categories=("finance",))
    first = make_user(Role.AGENT, centre, name="李娜", extension="8001")
    colleague = make_user(Role.AGENT, centre, name="张伟", extension="8002")
    third = make_user(Role.AGENT, centre, name="王芳", extension="8003")
    http = application.test_client()
    log_in(http, colleague)
    desk = socketio.test_client(application, namespace=DESK, flask_test_client=http)
    desk.get_received(DESK)
    pbx = application.test_client()
    url = f"/api/v1/cti/{phone_config(application).cti_token}"
    call = {"callId": "cc-1"}

    def post(event: str, **fields: str):  # type: ignore[no-untyped-def]
        return pbx.post(url, data={"event": event, **call, **fields})

    new = {"from": "057187001234", "to": "12345", "direction": "in"}
    assert post("newCall", **new).status_code == 200
    early = post("consultStart", transferTo="8002")
    assert early.status_code == 422  # not answered yet: nobody to consult from
    assert post("answer", answeringNumber="8001").status_code == 200
    data = tickets.NewTicket(subject="担保咨询", category="finance/guarantee", district="330106")
    ticket = tickets.create(session, first, data)
    record = service.find(session, "cc-1")
    service.link_ticket(record, ticket)
    tickets.assign(session, first, ticket, centre.id, first.id)
    session.commit()

    missing = post("consultStart")
    assert missing.status_code == 422 and missing.get_json()["error"]["field"] == "transferTo"
    assert post("consultStart", transferTo="9999").status_code == 422  # no such agent
    started = post("consultStart", transferTo="8002", reason="融资担保政策")
    assert started.status_code == 200 and started.get_json()["mode"] == "consult"
    pops = [m["args"][0] for m in desk.get_received(DESK) if m["name"] == SCREEN_POP]
    sent = pops[-1]["transfer"]
    shown = (sent["by_name"], sent["reason"], sent["ticket"])
    assert shown == ("李娜", "融资担保政策", ticket.number)
    assert presence.get(colleague.id)["state"] == "busy"
    assert presence.get(first.id)["state"] == "busy"  # still on the call with the caller
    session.expire_all()
    assert ticket.assignee_id == first.id  # consulting: nothing has moved

    assert post("consultComplete").get_json() == {"action": "complete", "ticket": ticket.number}
    assert post("consultComplete").get_json() == {}  # a duplicate: nothing more happens
    session.expire_all()
    assert (ticket.assigned_org_id, ticket.assignee_id) == (centre.id, colleague.id)
    assert presence.get(first.id)["state"] != "busy"
    assert presence.get(colleague.id)["state"] == "busy"

    # the colleague now holds the call: a consult of their own, cancelled, moves nothing
    assert post("consultStart", transferTo="8003").status_code == 200
    assert presence.get(third.id)["state"] == "busy"
    assert post("consultCancel").get_json() == {"action": "cancel", "ticket": ticket.number}
    session.expire_all()
    assert ticket.assignee_id == colleague.id
    assert presence.get(third.id)["state"] != "busy"
    assert [t["state"] for t in service.find(session, "cc-1").transfers] == [
        "completed",
        "cancelled",
    ]
    assert pbx.post(url, data={"event": "consultCancel", "callId": "nobody"}).get_json() == {}
    desk.disconnect(DESK)
