"""A blocked caller is refused politely on every path (issue 13 item 8): CTI answers `reject`,
the TwiML IVR says a sentence and hangs up, FastAGI likewise. No ticket, no queue; the call
stays in the records as refused."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from test_agi import Asterisk, agi_server, wait_for_end  # noqa: F401  (a fixture)

from helpdesk.channels.phone import queue, service, twiml
from helpdesk.channels.phone.models import BlockedNumber, CallRecord, CallStatus
from helpdesk.tickets.models import Ticket

URL = "http://localhost/ivr/voice/hotline"


@pytest.fixture
def blocked(session) -> str:
    session.add(BlockedNumber(number="+8657187009999", note="骚扰"))
    session.commit()
    service.forget_blocklist()
    yield "057187009999"
    service.forget_blocklist()


def _record(session, call_id: str) -> CallRecord:
    session.expire_all()
    return session.scalars(select(CallRecord).where(CallRecord.call_id == call_id)).one()


def test_twiml_call_from_a_blocked_number_is_refused(client, session, ivr_secret, blocked):
    data = {"CallSid": "CA-blocked", "From": blocked, "To": "+8657100000000"}
    headers = {twiml.SIGNATURE_HEADER: twiml.signature(ivr_secret, URL, data.items())}
    reply = client.post("/ivr/voice/hotline", data=data, headers=headers)
    body = reply.get_data(as_text=True)
    assert reply.status_code == 200
    assert "暂时无法接听" in body and "<Hangup" in body and "<Gather" not in body
    record = _record(session, "CA-blocked")
    assert record.status is CallStatus.ENDED and record.missed is False
    assert record.ticket_id is None and not queue.is_waiting(record)
    assert session.scalars(select(Ticket)).first() is None
    # the carrier asks again (a retry): still refused, nothing new
    again = client.post("/ivr/voice/hotline", data=data, headers=headers)
    assert "<Gather" not in again.get_data(as_text=True)


def test_an_unblocked_number_still_gets_the_menu(client, session, ivr_secret, blocked):
    data = {"CallSid": "CA-fine", "From": "057187001234", "To": "+8657100000000"}
    headers = {twiml.SIGNATURE_HEADER: twiml.signature(ivr_secret, URL, data.items())}
    body = client.post("/ivr/voice/hotline", data=data, headers=headers).get_data(as_text=True)
    assert "暂时无法接听" not in body and _record(session, "CA-fine").status is not CallStatus.ENDED


def test_agi_call_from_a_blocked_number_is_refused(agi_server, session, blocked):  # noqa: F811
    peer = Asterisk(agi_server, "1700000009.1", callerid=blocked)
    peer.expect(b"ANSWER\n", b"200 result=0\n")
    peer.expect(b'STREAM FILE beep ""\n', b"200 result=0 endpos=1600\n")
    peer.expect(b"HANGUP\n", b"200 result=1\n")
    peer.close()
    record = wait_for_end(session, "1700000009.1")
    assert record.ticket_id is None and record.missed is False and not record.ivr_path
    assert session.scalars(select(Ticket)).first() is None
