"""The screen pop serves the call: it names the caller (national number, city, carrier,
enterprise, contact, open tickets), and its 新建工单 opens the new-ticket form prefilled from the
call; the ticket made there is linked to the call, and the call's page shows it."""

from __future__ import annotations

from sqlalchemy import select

from helpdesk.auth.models import Role
from helpdesk.channels.phone import service
from helpdesk.channels.phone.models import CallRecord
from helpdesk.directory.models import OrgKind
from helpdesk.tickets.models import Channel, Status, Ticket

CALLER = "+8613957112345"  # a Hangzhou China Mobile number


def _known_caller(session, make_enterprise, make_ticket):
    enterprise = make_enterprise(district="330106", name="杭州西湖茶叶商贸有限公司")
    enterprise.contacts[0].phone = CALLER
    enterprise.contacts[0].name = "周杰"
    session.commit()
    still_open = make_ticket(enterprise_id=enterprise.id, district="330106", subject="担保咨询")
    done = make_ticket(enterprise_id=enterprise.id, district="330106", subject="早已办结")
    done.status = Status.CLOSED
    session.commit()
    return enterprise, still_open, done


def _answered_call(post_cti, call_id: str, extension: str) -> None:
    call = {"callId": call_id, "direction": "in", "from": CALLER, "to": "057188888888"}
    assert post_cti(event="newCall", **call).status_code == 200
    assert post_cti(event="answer", answeringNumber=extension, **call).status_code == 200


def test_the_pop_names_the_caller_and_lists_only_open_tickets(
    session, make_org, make_user, make_enterprise, make_ticket, post_cti
):
    centre = make_org(OrgKind.SERVICE_CENTRE)
    make_user(Role.AGENT, centre, extension="8001")
    enterprise, still_open, done = _known_caller(session, make_enterprise, make_ticket)
    _answered_call(post_cti, "pop-open-1", "8001")

    record = service.get(session, "pop-open-1")
    caller = service.screen_pop(session, record)["caller"]
    assert caller["number_display"] == "139 5711 2345"
    assert (caller["city"], caller["carrier"]) == ("浙江省杭州市", "中国移动")
    assert caller["enterprise"]["name"] == enterprise.name and caller["contact"]["name"] == "周杰"
    assert [t["number"] for t in caller["open_tickets"]] == [still_open.number]
    assert done.number not in [t["number"] for t in caller["open_tickets"]]


def test_new_ticket_from_the_call_is_prefilled_and_linked(
    client, session, make_org, make_user, make_enterprise, make_ticket, post_cti, log_in
):
    centre = make_org(OrgKind.SERVICE_CENTRE)
    agent = make_user(Role.AGENT, centre, extension="8001")
    enterprise, _open, _done = _known_caller(session, make_enterprise, make_ticket)
    _answered_call(post_cti, "pop-new-1", "8001")
    log_in(client, agent)

    form = client.get("/tickets/new?call=pop-new-1").get_data(as_text=True)
    assert 'value="139 5711 2345"' in form and 'value="周杰"' in form
    assert f'<option selected value="{enterprise.id}">' in form
    assert '<option selected value="phone">' in form
    assert 'name="call_id" type="hidden" value="pop-new-1"' in form

    reply = client.post(
        "/tickets/new",
        data={
            "call_id": "pop-new-1",
            "caller_phone": "139 5711 2345",
            "caller_name": "周杰",
            "enterprise_id": str(enterprise.id),
            "category": "finance/guarantee",
            "district": "",
            "type": "request",
            "channel": "phone",
            "priority": "normal",
            "subject": "来电咨询贷款贴息",
            "organisation_id": str(centre.id),
        },
    )
    assert reply.status_code == 302, reply.get_data(as_text=True)[:2000]
    ticket = session.scalars(select(Ticket).where(Ticket.subject == "来电咨询贷款贴息")).one()
    assert ticket.channel is Channel.PHONE and ticket.enterprise_id == enterprise.id
    session.expire_all()
    record = session.scalars(select(CallRecord).where(CallRecord.call_id == "pop-new-1")).one()
    assert record.ticket_id == ticket.id

    call_page = client.get("/phone/calls/pop-new-1").get_data(as_text=True)
    assert ticket.number in call_page and "139 5711 2345" in call_page
    assert "杭州西湖茶叶商贸有限公司" in call_page and "中国移动" in call_page
    # mid-call, the page leads to where the call is transferred or hung up (it was a dead end)
    assert 'id="call-actions" href="/phone/console">转接或挂机</a>' in call_page


def test_a_forged_call_id_is_a_form_error_not_a_crash(client, session, make_org, make_user, log_in):
    centre = make_org(OrgKind.SERVICE_CENTRE)
    agent = make_user(Role.AGENT, centre)
    log_in(client, agent)
    assert client.get("/tickets/new?call=nope").status_code == 200  # simply not prefilled
    reply = client.post(
        "/tickets/new",
        data={
            "call_id": "no-such-call",
            "caller_phone": "139 5711 2345",
            "category": "finance/guarantee",
            "district": "330106",
            "type": "request",
            "channel": "phone",
            "priority": "normal",
            "subject": "来电",
        },
    )
    assert reply.status_code == 422
    assert "来电记录已不存在" in reply.get_data(as_text=True)
    assert session.scalars(select(Ticket)).first() is None
    assert client.get("/phone/calls/no-such-call").status_code == 404


def test_the_agents_ticket_from_a_queued_call_replaces_the_voice_menus_one(
    client, session, make_org, make_user, log_in
):
    """A call queued by the voice menu has a placeholder ticket ("电话咨询：信息咨询"); the agent
    who answered made the real one from the pop's 新建工单, and the placeholder stayed in the
    centre's queue as a duplicate nobody owned. It is merged into the agent's ticket now; and
    the district the caller keyed in (西湖区, 03) is on the form already."""
    from helpdesk.channels.phone.ivr import loader
    from helpdesk.channels.phone.ivr.interpreter import Keys

    centre = make_org(OrgKind.SERVICE_CENTRE, categories=("info", "finance"))
    agent = make_user(Role.AGENT, centre, extension="8001")
    script = loader.load("hotline")
    record, _ = service.start_ivr(session, script, "ivr-dup-1", "twiml", "057187001234", "1")
    service.advance_ivr(session, record, script, Keys("0"))
    service.advance_ivr(session, record, script, Keys("03"))
    service.answer(session, record, agent)
    session.commit()
    placeholder = session.get(Ticket, record.ticket_id)
    assert placeholder is not None and placeholder.status in (Status.NEW, Status.ASSIGNED)
    log_in(client, agent)

    form = client.get("/tickets/new?call=ivr-dup-1").get_data(as_text=True)
    assert '<option selected value="330106">' in form

    reply = client.post(
        "/tickets/new",
        data={
            "call_id": "ivr-dup-1",
            "caller_phone": "0571 8700 1234",
            "caller_name": "王先生",
            "category": "finance/guarantee",
            "district": "330106",
            "type": "request",
            "channel": "phone",
            "priority": "normal",
            "subject": "咨询担保贷款",
        },
    )
    assert reply.status_code == 302, reply.get_data(as_text=True).split("<main>")[-1][:3000]
    session.expire_all()
    made = session.scalars(select(Ticket).where(Ticket.subject == "咨询担保贷款")).one()
    old = session.get(Ticket, placeholder.id)
    assert old is not None and old.status is Status.MERGED and old.merged_into_id == made.id
    page = client.get(reply.headers["Location"]).get_data(as_text=True)
    assert f"语音导航为本次来电建立的工单 {placeholder.number} 已合并到此工单" in page
