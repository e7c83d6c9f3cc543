"""Issue 12: every call reaches an end state, on every path; CTI as PBXs really send it.

Ghost calls (a record left `ringing`) show on the wallboard for ever and are offered for
answering on the phone console; stray events must not invent records nor leave agents busy.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from redis import Redis
from rq import Queue
from sqlalchemy import select

from helpdesk import clock
from helpdesk.auth.models import Role
from helpdesk.channels.phone import service, stray, twiml
from helpdesk.channels.phone.models import SWEPT, CallRecord, CallStatus
from helpdesk.channels.phone.sweep import run as sweep_job
from helpdesk.directory.models import OrgKind
from helpdesk.realtime import presence
from helpdesk.realtime.store import MemoryStore, store_for
from helpdesk.runner.embedded_redis import embedded_redis
from helpdesk.runner.worker import build_worker
from helpdesk.sla.calendar import HANGZHOU
from helpdesk.tickets.models import Comment, Ticket

URL = "http://localhost/ivr/voice/hotline"


def record(session, call_id: str) -> CallRecord:
    session.expire_all()
    return session.scalars(select(CallRecord).where(CallRecord.call_id == call_id)).one()


def records(session) -> list[CallRecord]:
    session.expire_all()
    return list(session.scalars(select(CallRecord)))


@pytest.fixture
def call(client, ivr_secret):
    def post(sid: str = "CA1", **params: str):
        data = {"CallSid": sid, "From": "057187001234", "To": "+8657100000000", **params}
        headers = {twiml.SIGNATURE_HEADER: twiml.signature(ivr_secret, URL, data.items())}
        reply = client.post("/ivr/voice/hotline", data=data, headers=headers)
        assert reply.status_code == 200, reply.get_data(as_text=True)
        return reply

    return post


@pytest.fixture
def memory_presence():
    """Presence without a Redis, empty: who is busy is read from here."""
    memory = store_for(None)
    assert isinstance(memory, MemoryStore)
    memory.clear()
    yield memory
    memory.clear()


@pytest.fixture
def agent(make_org, make_user):
    return make_user(Role.AGENT, make_org(OrgKind.SERVICE_CENTRE), extension="8001")


# --- item 1: no ghost calls --------------------------------------------------------------------


def test_a_message_left_outside_hours_ends_the_call(call, session, monkeypatch):
    monkeypatch.setattr(service, "business_hours", lambda moment: False)
    call(CallStatus="ringing")  # welcome, closed menu
    call(Digits="1", CallStatus="in-progress")  # leave a message: ticket, goodbye, hang up
    ended = record(session, "CA1")
    assert ended.status is CallStatus.ENDED and ended.end_at is not None
    assert ended.ivr_outcome == "message" and ended.outcome == "ivr"
    assert not ended.missed  # the message ticket is the callback; not a missed call as well
    assert session.get(Ticket, ended.ticket_id) is not None
    assert service.live_calls(session) == []  # neither wallboard nor console offers it
    # Twilio's status callback afterwards changes nothing
    call(CallStatus="completed")
    assert record(session, "CA1").end_at == ended.end_at


def test_the_phone_console_no_longer_offers_a_message_call(
    call, session, monkeypatch, client, agent, log_in
):
    monkeypatch.setattr(service, "business_hours", lambda moment: False)
    call(CallStatus="ringing")
    call(Digits="1", CallStatus="in-progress")
    log_in(client, agent)
    page = client.get("/phone/console").get_data(as_text=True)
    assert "/phone/calls/CA1/answer" not in page


def test_a_goodbye_ends_the_call_too(call, session, monkeypatch):
    monkeypatch.setattr(service, "business_hours", lambda moment: False)
    call(CallStatus="ringing")
    call(Digits="2", CallStatus="in-progress")  # end the call
    ended = record(session, "CA1")
    assert ended.status is CallStatus.ENDED and ended.outcome == "ivr"


def test_caller_hanging_up_in_the_queue_is_abandoned(call, session):
    call(CallStatus="ringing")
    call(Digits="0", CallStatus="in-progress")  # an agent, please: queued
    assert record(session, "CA1").status is CallStatus.RINGING
    call(CallStatus="completed")
    ended = record(session, "CA1")
    assert (ended.status, ended.outcome, ended.missed) == (CallStatus.ENDED, "abandoned", True)


@pytest.fixture
def sweep_redis(tmp_path_factory):
    with embedded_redis(tmp_path_factory.mktemp("sweep-redis")) as url:
        Redis.from_url(url).flushall()
        yield url


def test_the_sweep_ends_calls_whose_pbx_never_hung_up(
    post_cti, session, make_ticket, app, sweep_redis, agent, memory_presence
):
    start = clock.now()
    clock.freeze(start)
    base = {"from": "057187001234", "to": "12345", "direction": "in"}
    post_cti(event="newCall", callId="lost-ringing", **base)
    post_cti(event="newCall", callId="lost-answered", **base)
    post_cti(event="answer", callId="lost-answered", answeringNumber="8001", **base)
    ticket = make_ticket()
    with_ticket = record(session, "lost-answered")
    with_ticket.ticket_id = ticket.id
    session.commit()
    assert presence.get(agent.id)["state"] == "busy"
    clock.advance(timedelta(minutes=239))
    post_cti(event="newCall", callId="fresh", **base)  # rang a minute before the sweep

    clock.advance(timedelta(minutes=2))  # 241 minutes: past the default 240
    # The worker sweeps at its maintenance (at start, then every minute); the job does the same
    # on demand and finds nothing left.
    job = Queue("default", connection=Redis.from_url(sweep_redis)).enqueue(sweep_job)
    build_worker(sweep_redis, app).work(burst=True, with_scheduler=False)
    job.refresh()
    assert job.is_finished and job.return_value() == [], job.exc_info

    ringing, answered = record(session, "lost-ringing"), record(session, "lost-answered")
    assert (ringing.status, ringing.cause, ringing.missed) == (CallStatus.ENDED, SWEPT, True)
    assert (answered.status, answered.outcome) == (CallStatus.ENDED, "answered")
    assert answered.talk_seconds == 241 * 60
    assert record(session, "fresh").status is CallStatus.RINGING
    assert presence.get(agent.id)["state"] != "busy"  # the agent is free again
    notes = session.scalars(select(Comment).where(Comment.ticket_id == ticket.id)).all()
    assert [n.internal for n in notes] == [True]
    assert "lost-answered" in notes[0].body and "241" in notes[0].body


# --- item 2: causes as PBXs send them ----------------------------------------------------------


@pytest.mark.parametrize(
    ("cause", "answered", "outcome", "missed"),
    [
        ("NORMAL_CLEARING", True, "answered", False),  # Asterisk / FreeSWITCH
        ("normalClearing", True, "answered", False),  # Zammad
        ("16", True, "answered", False),  # Q.850
        ("NORMAL_CLEARING", False, "abandoned", True),
        ("ORIGINATOR_CANCEL", False, "abandoned", True),
        ("USER_BUSY", False, "busy", True),
        ("17", False, "busy", True),
        ('Q.850;cause=17;text="USER_BUSY"', False, "busy", True),
        ("NO_ANSWER", False, "no_answer", True),
        ("19", False, "no_answer", True),
        ("NORMAL_CIRCUIT_CONGESTION", False, "failed", True),
        ("34", False, "failed", True),
        ("forwarded", False, "forwarded", False),
        ("the cat pulled the cable", False, "other", True),
    ],
)
def test_hangup_causes_are_stored_raw_and_mapped(
    post_cti, session, agent, cause, answered, outcome, missed
):
    base = {"from": "057187001234", "to": "12345", "direction": "in", "callId": "c"}
    post_cti(event="newCall", **base)
    if answered:
        post_cti(event="answer", answeringNumber="8001", **base)
    reply = post_cti(event="hangup", cause=cause, **base)
    assert reply.status_code == 200, reply.get_json()
    ended = record(session, "c")
    assert (ended.status, ended.cause, ended.outcome) == (CallStatus.ENDED, cause, outcome)
    assert ended.missed is missed


def test_an_overlong_cause_is_refused_naming_it(post_cti, session):
    base = {"from": "057187001234", "to": "12345", "direction": "in", "callId": "c"}
    post_cti(event="newCall", **base)
    reply = post_cti(event="hangup", cause="x" * 65, **base)
    assert reply.status_code == 422 and reply.get_json()["error"]["field"] == "cause"
    assert record(session, "c").status is CallStatus.RINGING


# --- item 2: events for calls we never saw -----------------------------------------------------


def test_answer_and_hangup_for_an_unknown_call_do_nothing_but_count(
    post_cti, session, agent, memory_presence
):
    stray.reset()
    base = {"from": "057187001234", "to": "12345", "direction": "in", "callId": "never-seen"}
    reply = post_cti(event="answer", answeringNumber="8001", **base)
    assert (reply.status_code, reply.get_json()) == (200, {})
    reply = post_cti(event="hangup", cause="NORMAL_CLEARING", **base)
    assert (reply.status_code, reply.get_json()) == (200, {})
    assert records(session) == []
    assert presence.get(agent.id)["state"] != "busy"
    assert stray.counts() == {"answer": 1, "hangup": 1}


# --- bad input ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("number", "field"),
    [
        ("0571ABC1234", "from"),
        ("1" * 50, "from"),
        ("", "from"),
        ("<script>", "from"),
    ],
)
def test_bad_caller_numbers_are_422_and_leave_nothing(post_cti, session, number, field):
    reply = post_cti(event="newCall", callId="bad", to="12345", direction="in", **{"from": number})
    assert reply.status_code == 422, reply.get_json()
    assert reply.get_json()["error"]["field"] == field
    assert records(session) == []


def test_a_bad_dialled_number_is_422_too(post_cti, session):
    reply = post_cti(event="newCall", callId="bad", to="9" * 50, direction="in", **{"from": "1"})
    assert reply.status_code == 422 and reply.get_json()["error"]["field"] == "to"
    assert records(session) == []


def test_a_withheld_number_is_a_call_all_the_same(post_cti, session):
    reply = post_cti(
        event="newCall", callId="anon", to="12345", direction="in", **{"from": "anonymous"}
    )
    assert reply.status_code == 200
    assert record(session, "anon").caller_e164 is None


def test_hangup_before_answer_then_the_late_answer_leaves_no_one_busy(
    post_cti, session, agent, memory_presence
):
    base = {"from": "057187001234", "to": "12345", "direction": "in", "callId": "ooo"}
    post_cti(event="newCall", **base)
    post_cti(event="hangup", cause="ORIGINATOR_CANCEL", **base)
    post_cti(event="answer", answeringNumber="8001", **base)  # late, out of order
    post_cti(event="hangup", cause="NORMAL_CLEARING", **base)  # duplicate
    ended = record(session, "ooo")
    assert (ended.status, ended.answered_by_id, ended.outcome) == (
        CallStatus.ENDED,
        None,
        "abandoned",
    )
    assert ended.cause == "ORIGINATOR_CANCEL"
    assert presence.get(agent.id)["state"] != "busy"
    assert len(records(session)) == 1


def test_a_round_the_clock_hotline_is_open_at_three_in_the_morning(app, session, tmp_path):
    """HELPDESK_PHONE_HOURS=always: the IVR's hours check says open at any hour; the default
    follows the business calendar; anything else is refused at start."""
    from dataclasses import replace

    from helpdesk.channels.phone import config as phone_settings
    from helpdesk.channels.phone.service import facts_for

    assert phone_settings.from_env(tmp_path, {}).always_open is False
    always = phone_settings.from_env(tmp_path, {"HELPDESK_PHONE_HOURS": "always"})
    clock.freeze(datetime(2026, 11, 24, 3, 0, tzinfo=HANGZHOU))  # a Tuesday, 03:00
    record = CallRecord(call_id="night-1", source="twiml", direction="in", status="ringing")
    saved = app.extensions[phone_settings.KEY]
    app.extensions[phone_settings.KEY] = replace(saved, always_open=always.always_open)
    try:
        assert facts_for(session, record).business_hours is True
    finally:
        app.extensions[phone_settings.KEY] = saved
    with pytest.raises(ValueError, match="HELPDESK_PHONE_HOURS"):
        phone_settings.from_env(tmp_path, {"HELPDESK_PHONE_HOURS": "sometimes"})
