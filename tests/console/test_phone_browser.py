"""Phone calls on the agent console in Debian's Chromium, against a real gevent web process: the
screen pop of an answered call names the caller and its 新建工单 opens the new-ticket form
prefilled, whose ticket the call's page then shows."""

from __future__ import annotations

import pytest
import requests
from realtime.live import Web

from helpdesk.auth.models import Role
from helpdesk.channels.phone.config import phone_config
from helpdesk.directory.models import OrgKind

from .test_live_browser import browser, page_for  # noqa: F401  (the Chromium fixture)

pytestmark = [pytest.mark.browser, pytest.mark.slow]
CALLER = "+8613957112345"  # a Hangzhou China Mobile number
PHONE = {"width": 390, "height": 844}


def cti(app, web: Web, **event: str) -> None:
    url = f"{web.base}/api/v1/cti/{phone_config(app).cti_token}"
    assert requests.post(url, json=event, timeout=5).status_code == 200


def test_screen_pop_new_ticket_is_prefilled_and_linked_to_the_call(
    browser,  # noqa: F811
    web: Web,
    app,
    session,
    make_org,
    make_user,
    make_enterprise,
    make_ticket,
    fresh_presence,
):
    from playwright.sync_api import expect

    centre = make_org(OrgKind.SERVICE_CENTRE, slug="centre", name="服务中心")
    agent = make_user(Role.AGENT, centre, name="李娜", extension="8001")
    enterprise = make_enterprise(district="330106", name="杭州西湖茶叶商贸有限公司")
    enterprise.contacts[0].phone, enterprise.contacts[0].name = CALLER, "周杰"
    session.commit()
    open_ticket = make_ticket(enterprise_id=enterprise.id, district="330106", subject="担保咨询")
    console = page_for(browser, web, agent, "/console")

    call = {"callId": "browser-pop-1", "direction": "in", "from": CALLER, "to": "057188888888"}
    cti(app, web, event="newCall", **call)
    cti(app, web, event="answer", answeringNumber="8001", **call)

    pop = console.locator("#pop")
    expect(pop).to_be_visible()
    expect(pop.locator(".pop-number")).to_have_text("139 5711 2345")
    expect(pop.locator(".pop-where")).to_have_text("浙江省杭州市 · 中国移动")
    expect(pop.locator(".pop-enterprise")).to_contain_text("杭州西湖茶叶商贸有限公司")
    expect(pop.locator(".pop-contact")).to_have_text("周杰")
    expect(pop.locator(".pop-open li")).to_contain_text(open_ticket.number)
    expect(pop.locator(".pop-open li")).to_contain_text("担保咨询")
    console.screenshot(path="/tmp/shot-pop-desktop.png", full_page=True)
    console.set_viewport_size(PHONE)
    console.screenshot(path="/tmp/shot-pop-phone.png", full_page=True)
    assert console.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    pop.locator("#pop-new-ticket").click()
    console.wait_for_url("**/tickets/new?call=browser-pop-1")
    expect(console.locator("input[name=caller_phone]")).to_have_value("139 5711 2345")
    expect(console.locator("input[name=caller_name]")).to_have_value("周杰")
    expect(console.locator("select[name=enterprise_id]")).to_have_value(str(enterprise.id))
    expect(console.locator("select[name=channel]")).to_have_value("phone")
    console.screenshot(path="/tmp/shot-new-from-call-phone.png", full_page=True)
    console.select_option("select[name=category]", "finance/guarantee")
    console.select_option("select[name=organisation_id]", str(centre.id))
    console.fill("input[name=subject]", "来电咨询贷款贴息")
    console.click("form.new-ticket button[type=submit]")
    console.wait_for_url("**/tickets/HZ-*")
    expect(console.locator("h1")).to_contain_text("来电咨询贷款贴息")
    number = console.url.rsplit("/", 1)[-1]

    console.goto(f"{web.base}/phone/calls/browser-pop-1")
    expect(console.locator("#call-ticket")).to_contain_text(number)
    expect(console.locator("#call-status")).to_have_text("通话中")
    console.screenshot(path="/tmp/shot-call-page-phone.png", full_page=True)
    console.set_viewport_size({"width": 1400, "height": 900})
    console.screenshot(path="/tmp/shot-call-page-desktop.png", full_page=True)

    # Back on the console, still on the call: the pop came once, to the page the agent left
    # for the form, and the console showed no call at all; it is there again, with the ticket.
    console.goto(f"{web.base}/console")
    expect(pop).to_be_visible()
    expect(pop.locator(".pop-number")).to_have_text("139 5711 2345")
    expect(pop).to_contain_text(number)


def test_a_queued_call_is_offered_to_available_consoles_and_the_first_accept_wins(
    browser,  # noqa: F811
    web: Web,
    make_org,
    make_user,
    fresh_presence,
):
    from playwright.sync_api import expect
    from realtime.live import csrf_of, login

    centre = make_org(OrgKind.SERVICE_CENTRE, slug="centre", name="服务中心")
    first = make_user(Role.AGENT, centre, name="李娜", extension="8001")
    second = make_user(Role.AGENT, centre, name="张伟", extension="8002")
    supervisor = make_user(Role.SUPERVISOR, centre, name="王敏")
    one = page_for(browser, web, first, "/console")
    two = page_for(browser, web, second, "/console")
    expect(one.locator("#calls-waiting")).to_contain_text("当前无来电排队")

    # A caller presses 0, then 00 (杭州市): the IVR puts them in the queue.
    caller = login(web.base, supervisor.login)
    headers = {"X-CSRFToken": csrf_of(caller, web.base)}
    for step in ({"CallStatus": "ringing"}, {"Digits": "0"}, {"Digits": "00"}):
        data = {"CallSid": "browser-q-1", "From": CALLER, "To": "057188888888", **step}
        reply = caller.post(f"{web.base}/ivr/voice/hotline", data=data, headers=headers)
        assert reply.status_code == 200, reply.text
    assert "排在第1位" in reply.text

    for page in (one, two):
        offer = page.locator("#calls-waiting li[data-call='browser-q-1']")
        expect(offer).to_be_visible()
        expect(offer.locator(".offer-number")).to_have_text("139 5711 2345")
        expect(offer).to_contain_text("排第 1 位")
        expect(offer).to_contain_text("浙江省杭州市")
    one.screenshot(path="/tmp/shot-offer-desktop.png", full_page=True)
    two.set_viewport_size(PHONE)
    two.screenshot(path="/tmp/shot-offer-phone.png", full_page=True)
    assert two.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    one.locator("#calls-waiting li[data-call='browser-q-1'] .take-call").click()
    expect(one.locator("#pop .pop-number")).to_have_text("139 5711 2345")
    expect(two.locator("#calls-waiting li[data-call='browser-q-1']")).to_have_count(0)
    expect(one.locator("[data-presence=busy]")).to_have_class("on")
    again = caller.post(
        f"{web.base}/ivr/voice/hotline",
        data={"CallSid": "browser-q-1", "From": CALLER, "To": "057188888888"},
        headers=headers,
    )
    assert "sip:8001@pbx" in again.text  # the caller is put through to who accepted


def test_the_wallboard_lines_up_calls_and_chats_and_hands_a_call_to_a_named_agent(
    browser,  # noqa: F811
    web: Web,
    app,
    session,
    make_org,
    make_user,
    fresh_presence,
):
    """Phone and chat wait in one line on the wallboard, each with its place and wait; the
    supervisor hands a queued call to a named agent, whose console alone then offers it."""
    from playwright.sync_api import expect
    from realtime.live import csrf_of, login

    from helpdesk.channels.chat import service as chat
    from helpdesk.channels.phone import service as phone

    centre = make_org(OrgKind.SERVICE_CENTRE, slug="centre", name="服务中心")
    named = make_user(Role.AGENT, centre, name="李娜", extension="8001")
    other = make_user(Role.AGENT, centre, name="张伟", extension="8002")
    supervisor = make_user(Role.SUPERVISOR, centre, name="王敏")
    visitor = chat.Visitor("陈先生", "13957100009", "finance/guarantee", "担保费率是多少？")
    chat.start(session, visitor, None)  # waiting longer than the call below
    session.commit()
    mine = page_for(browser, web, named, "/console")
    theirs = page_for(browser, web, other, "/console")
    board = page_for(browser, web, supervisor, "/wallboard")
    board.set_viewport_size({"width": 1920, "height": 1080})

    caller = login(web.base, supervisor.login)
    headers = {"X-CSRFToken": csrf_of(caller, web.base)}
    for step in ({"CallStatus": "ringing"}, {"Digits": "0"}, {"Digits": "00"}):
        data = {"CallSid": "board-q-1", "From": CALLER, "To": "057188888888", **step}
        assert caller.post(f"{web.base}/ivr/voice/hotline", data=data, headers=headers).ok

    call = board.locator("#waiting li[data-id='board-q-1']")
    expect(call).to_contain_text("排第 2 位")  # the chat has waited longer: first in line
    expect(board.locator("#waiting li[data-kind='chat']")).to_contain_text("排第 1 位")
    expect(call).to_contain_text("电话")
    board.screenshot(path="/tmp/shots-phone/wallboard-queue-1920.png")
    call.locator("select.to-agent").select_option(str(named.id))
    call.locator("button.reassign-chat").click()
    expect(theirs.locator("#calls-waiting li[data-call='board-q-1']")).to_have_count(0)
    expect(mine.locator("#calls-waiting li[data-call='board-q-1']")).to_contain_text("指定给您")
    session.expire_all()
    record = phone.find(session, "board-q-1")
    assert record is not None and (record.ivr_state or {}).get("offered_to") == named.id
    board.set_viewport_size({"width": 390, "height": 844})
    board.screenshot(path="/tmp/shots-phone/wallboard-queue-390.png", full_page=True)


def test_consult_transfer_the_colleague_sees_who_why_and_the_ticket_then_it_moves(
    browser,  # noqa: F811
    web: Web,
    app,
    session,
    make_org,
    make_user,
    make_ticket,
    fresh_presence,
):
    """Issue 12 item 5 in Chromium: the first agent consults a colleague from the phone console;
    the colleague's console pops with who sent it, the reason and the ticket, and shows them
    busy; cancel moves nothing; a second consult completed moves the ticket to the colleague."""
    from playwright.sync_api import expect

    from helpdesk.channels.phone import service as phone
    from helpdesk.tickets.models import Ticket

    centre = make_org(OrgKind.SERVICE_CENTRE, slug="centre", name="服务中心")
    first = make_user(Role.AGENT, centre, name="李娜", extension="8001")
    colleague = make_user(Role.AGENT, centre, name="张伟", extension="8002")
    ticket = make_ticket(first, subject="担保贷款贴息", organisation_id=centre.id)
    theirs = page_for(browser, web, colleague, "/console")
    call = {"callId": "browser-consult-1", "direction": "in", "from": CALLER, "to": "057188888888"}
    cti(app, web, event="newCall", **call)
    cti(app, web, event="answer", answeringNumber="8001", **call)
    record = phone.find(session, "browser-consult-1")
    phone.link_ticket(record, ticket)
    session.commit()
    mine = page_for(browser, web, first, "/console")  # signed in; then the phone console
    mine.goto(f"{web.base}/phone/console")

    def consult(reason: str) -> None:
        row = mine.locator("tr", has_text="139 5711 2345")
        row.locator("input[name=target]").fill("8002")
        row.locator("select[name=mode]").select_option("consult")
        row.locator("input[name=reason]").fill(reason)
        row.locator("form[action$='/transfer'] button").click()
        expect(mine.locator(".consulting")).to_contain_text("融资")

    consult("融资担保政策问题")
    pop = theirs.locator("#pop")
    expect(pop.locator(".pop-transfer")).to_contain_text("李娜")
    expect(pop.locator(".pop-transfer")).to_contain_text("融资担保政策问题")
    expect(pop.locator(".pop-transfer")).to_contain_text(ticket.number)
    expect(theirs.locator("[data-presence=busy]")).to_have_class("on")
    theirs.screenshot(path="/tmp/shots-phone/consult-pop-1366.png", full_page=True)
    mine.screenshot(path="/tmp/shots-phone/consult-phone-console-1366.png", full_page=True)

    mine.locator("button.consult-cancel").click()
    expect(mine.locator(".consulting")).to_have_count(0)
    expect(theirs.locator("[data-presence=busy]")).not_to_have_class("on")
    session.expire_all()
    assert session.get(Ticket, ticket.id).assignee_id != colleague.id  # nothing moved

    consult("融资担保，请张伟跟进")
    mine.set_viewport_size(PHONE)
    mine.screenshot(path="/tmp/shots-phone/consult-phone-console-390.png", full_page=True)
    mine.locator("button.consult-complete").click()
    expect(mine.locator(".consulting")).to_have_count(0)
    session.expire_all()
    moved = session.get(Ticket, ticket.id)
    assert (moved.assigned_org_id, moved.assignee_id) == (centre.id, colleague.id)
    theirs.set_viewport_size(PHONE)
    theirs.screenshot(path="/tmp/shots-phone/consult-pop-390.png", full_page=True)
