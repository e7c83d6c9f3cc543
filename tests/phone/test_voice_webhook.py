"""The TwiML voice webhook driven through the default hotline script, reply by reply as XML."""

from __future__ import annotations

from xml.etree import ElementTree as ET

import pytest
from sqlalchemy import select

from helpdesk.channels.phone import twiml
from helpdesk.channels.phone.models import CallRecord, CallStatus
from helpdesk.tickets.models import Channel, Ticket, TicketType

URL = "http://localhost/ivr/voice/hotline"


@pytest.fixture
def call(client, ivr_secret):
    def post(sid: str = "CA1", url: str = URL, sign: bool = True, **params: str):
        data = {"CallSid": sid, "From": "057187001234", "To": "+8657100000000", **params}
        headers = {}
        if sign:
            headers[twiml.SIGNATURE_HEADER] = twiml.signature(ivr_secret, url, data.items())
        reply = client.post(url.removeprefix("http://localhost"), data=data, headers=headers)
        return reply

    return post


def verbs(reply) -> list[ET.Element]:
    assert reply.status_code == 200, reply.get_data(as_text=True)
    assert reply.mimetype == "application/xml"
    root = ET.fromstring(reply.get_data())
    assert root.tag == "Response"
    return list(root)


def test_signature_is_twilios_scheme():
    # The vector in Twilio's own SDK tests (RequestValidatorTest): URL plus sorted parameters.
    params = {
        "CallSid": "CA1234567890ABCDE",
        "Caller": "+14158675309",
        "Digits": "1234",
        "From": "+14158675309",
        "To": "+18005551212",
    }
    url = "https://mycompany.com/myapp.php?foo=1&bar=2"
    assert twiml.signature("12345", url, params.items()) == "RSOYDt4T1cUTdK1PDd93/VVr8B8="


def test_hotline_to_an_agent_verb_by_verb(call, session):
    welcome = verbs(call(CallStatus="ringing"))
    assert [v.tag for v in welcome] == ["Say", "Gather", "Redirect"]
    assert welcome[0].get("language") == "zh-CN" and "欢迎致电" in welcome[0].text
    gather = welcome[1]
    assert gather.attrib == {
        "input": "dtmf",
        "numDigits": "1",
        "timeout": "5",
        "action": URL,
        "method": "POST",
        "actionOnEmptyResult": "false",
        "finishOnKey": "#",
    }
    assert [c.tag for c in gather] == ["Say"] and "投资融资请按2" in gather[0].text
    assert welcome[2].text == URL and welcome[2].get("method") == "POST"

    finance = verbs(call(Digits="2", CallStatus="in-progress"))
    assert [v.tag for v in finance] == ["Gather", "Redirect"]
    assert "担保请按2" in finance[0][0].text

    district = verbs(call(Digits="2", CallStatus="in-progress"))
    assert district[0].get("numDigits") == "2" and district[0].get("timeout") == "8"

    queued = verbs(call(Digits="05", CallStatus="in-progress"))
    # In the centre's own queue: told their place and wait, again after the pause.
    assert [v.tag for v in queued] == ["Say", "Say", "Pause", "Redirect"]
    assert "排在第1位" in queued[1].text and queued[3].text == URL

    record = session.scalars(select(CallRecord)).one()
    ticket = session.get(Ticket, record.ticket_id)
    assert (ticket.category_code, ticket.district_code, ticket.channel) == (
        "finance/guarantee",
        "330109",
        Channel.PHONE,
    )
    assert ticket.contact.phone == "+8657187001234"
    assert "district_menu[05]" in ticket.description
    assert [p["node"] for p in record.ivr_path][-2:] == ["district_menu", "to_agent"]

    verbs(call(CallStatus="completed"))
    session.expire_all()
    assert record.status is CallStatus.ENDED and record.missed  # nobody answered the queue


def test_silence_reprompts_and_english_switch(call):
    verbs(call())
    again = verbs(call())  # the Redirect after a Gather: no Digits
    assert [v.tag for v in again] == ["Gather", "Redirect"]
    assert "没有收到您的按键" in again[0][0].text
    english = verbs(call(Digits="9"))
    assert english[0][0].get("language") == "en-US"
    assert english[0][0].text.startswith("Information and consulting")


def test_leave_a_message_speaks_the_ticket_number_and_hangs_up(call, session):
    verbs(call())
    reply = verbs(call(Digits="8"))
    assert [v.tag for v in reply] == ["Say", "Hangup"]
    ticket = session.scalars(select(Ticket)).one()
    assert ticket.number in reply[0].text and ticket.type is TicketType.INQUIRY


def test_hangup_in_the_menu_leaves_an_abandoned_record_and_no_ticket(call, session):
    verbs(call())
    verbs(call(Digits="6"))
    verbs(call(CallStatus="completed"))
    record = session.scalars(select(CallRecord)).one()
    assert record.ivr_outcome == "abandoned" and record.missed
    assert record.ivr_path == [
        {"node": "welcome"},
        {"node": "hours"},
        {"node": "main_menu", "input": "6"},
    ]
    assert session.scalars(select(Ticket)).first() is None


def test_garbage_digits_are_an_invalid_entry(call):
    verbs(call())
    reply = verbs(call(Digits="<script>"))
    assert "输入有误" in reply[0][0].text


def test_unsigned_or_badly_signed_requests_are_refused(call, session):
    assert call(sign=False).status_code == 403
    bad = call(sign=False, **{})
    assert bad.status_code == 403
    assert session.scalars(select(CallRecord)).first() is None


def test_signature_over_another_url_is_refused(client, ivr_secret):
    data = {"CallSid": "CA9", "From": "1", "To": "2"}
    headers = {twiml.SIGNATURE_HEADER: twiml.signature(ivr_secret, URL + "x", data.items())}
    assert client.post("/ivr/voice/hotline", data=data, headers=headers).status_code == 403


def test_unknown_script_is_404(call):
    assert call(url="http://localhost/ivr/voice/nope").status_code == 404
