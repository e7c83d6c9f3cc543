"""The phone queue rings people: a call the IVR queues (press 0) is offered to the available
agents' consoles, the first to accept gets it (the others are told it is gone), the caller hears
their place and wait and is then put through; a supervisor can hand a waiting call to a named
agent; phone and chat wait in one list on the wallboard."""

from __future__ import annotations

from xml.etree import ElementTree as ET

import pytest

from helpdesk import create_app
from helpdesk.auth.models import Role
from helpdesk.channels.phone import twiml
from helpdesk.channels.phone.config import KEY
from helpdesk.channels.phone.queue import OFFER
from helpdesk.directory.models import OrgKind
from helpdesk.realtime.rooms import DESK

URL = "http://localhost/ivr/voice/hotline"


@pytest.fixture
def dial(client, ivr_secret):
    """A caller on the TwiML webhook: each call presses 0 (an agent), then 00 (杭州市)."""

    def post(sid: str, **params: str) -> list[ET.Element]:
        data = {"CallSid": sid, "From": "057187001234", "To": "+8657100000000", **params}
        headers = {twiml.SIGNATURE_HEADER: twiml.signature(ivr_secret, URL, data.items())}
        reply = client.post("/ivr/voice/hotline", data=data, headers=headers)
        assert reply.status_code == 200, reply.get_data(as_text=True)
        return list(ET.fromstring(reply.get_data()))

    def queue(sid: str) -> list[ET.Element]:
        post(sid, CallStatus="ringing")
        post(sid, Digits="0", CallStatus="in-progress")
        return post(sid, Digits="00", CallStatus="in-progress")

    post.queue = queue  # type: ignore[attr-defined]
    return post


def _said(verbs: list[ET.Element]) -> str:
    return " ".join(v.text or "" for v in verbs if v.tag == "Say")


def test_first_accept_wins_and_the_caller_is_put_through(app, dial, make_org, make_user, log_in):
    centre = make_org(OrgKind.SERVICE_CENTRE)
    first = make_user(Role.AGENT, centre, name="李娜", extension="8001")
    second = make_user(Role.AGENT, centre, name="张伟", extension="8002")
    assert "排在第1位" in _said(dial.queue("Q1"))
    assert "排在第2位" in _said(dial.queue("Q2"))
    again = dial("Q2")  # the Redirect after the pause: told again
    assert [v.tag for v in again] == ["Say", "Pause", "Redirect"] and "第2位" in _said(again)

    # Tests share one app context, where Flask-Login keeps the last login: log in before each.
    one, two = app.test_client(), app.test_client()
    log_in(one, first)
    offers = one.get("/phone/queue").get_json()["calls"]
    assert [(c["call_id"], c["position"]) for c in offers] == [("Q1", 1), ("Q2", 2)]
    assert offers[0]["number_display"] == "0571-8700 1234" and offers[0]["city"] == "浙江省杭州市"

    assert one.post("/phone/calls/Q1/accept").status_code == 200
    log_in(two, second)
    lost = two.post("/phone/calls/Q1/accept")
    assert lost.status_code == 409 and lost.get_json()["message"] == "该来电已被其他坐席接听。"
    assert [c["call_id"] for c in two.get("/phone/queue").get_json()["calls"]] == ["Q2"]

    put_through = dial("Q1")
    assert [v.tag for v in put_through] == ["Dial"] and put_through[0][0].text == "sip:8001@pbx"
    assert "排在第1位" in _said(dial("Q2"))  # one ahead fewer
    status = two.get("/phone/calls/Q1/status").get_json()
    assert (status["status"], status["agent"]) == ("answered", "李娜")


def test_supervisor_hands_a_waiting_call_to_a_named_agent(app, dial, make_org, make_user, log_in):
    centre = make_org(OrgKind.SERVICE_CENTRE)
    first = make_user(Role.AGENT, centre, extension="8001")
    named = make_user(Role.AGENT, centre, extension="8002")
    boss = make_user(Role.SUPERVISOR, centre)
    dial.queue("H1")
    agent, other, supervisor = app.test_client(), app.test_client(), app.test_client()
    log_in(agent, first)
    refused = agent.post("/phone/calls/H1/hand", json={"agent_id": named.id})
    assert refused.status_code == 403
    log_in(supervisor, boss)
    bad = supervisor.post("/phone/calls/H1/hand", json={"agent_id": "x"})
    assert bad.status_code == 422
    assert supervisor.post("/phone/calls/H1/hand", json={"agent_id": named.id}).status_code == 200
    log_in(agent, first)
    assert agent.get("/phone/queue").get_json()["calls"][0]["offered_to"] == named.id
    assert agent.post("/phone/calls/H1/accept").status_code == 409
    log_in(other, named)
    assert other.post("/phone/calls/H1/accept").status_code == 200
    log_in(supervisor, boss)

    board = supervisor.get("/api/v1/wallboard").get_json()
    assert all(w["id"] != "H1" for w in board["waiting"])


@pytest.fixture
def socket_app(settings):
    from helpdesk.extensions import socketio
    from helpdesk.realtime import init_realtime
    from helpdesk.realtime.store import MemoryStore, store_for

    memory = store_for(None)
    assert isinstance(memory, MemoryStore)
    memory.clear()
    application = create_app(settings)
    application.config["WTF_CSRF_ENABLED"] = False
    init_realtime(application, None, async_mode="threading")
    yield application, socketio
    socketio.server = None


def _offers_until(console, done, seconds: float = 10.0) -> list[dict]:
    """The `phone.queue` messages a test client received until one listing satisfies `done`
    (the sender emits from its own task, a tick after the commit)."""
    import time

    got: list[dict] = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        got += [m for m in console.get_received(DESK) if m["name"] == OFFER]
        if got and done(got[-1]["args"][0]["calls"]):
            return got
        time.sleep(0.01)
    return got


def test_offers_reach_available_consoles_only(socket_app, ivr_secret, make_org, make_user, log_in):
    application, socketio = socket_app
    config = application.extensions[KEY]
    application.extensions[KEY] = type(config)(**{**config.__dict__, "ivr_secret": ivr_secret})
    centre = make_org(OrgKind.SERVICE_CENTRE)
    ready = make_user(Role.AGENT, centre, extension="8001")
    away = make_user(Role.AGENT, centre, extension="8002")
    consoles = {}
    for user in (ready, away):
        http = application.test_client()
        log_in(http, user)
        consoles[user.id] = socketio.test_client(
            application, namespace=DESK, flask_test_client=http
        )
    consoles[away.id].emit("presence", {"state": "away"}, namespace=DESK)
    for client in consoles.values():
        client.get_received(DESK)

    caller = application.test_client()
    for params in ({"CallStatus": "ringing"}, {"Digits": "0"}, {"Digits": "00"}):
        data = {"CallSid": "S1", "From": "+8613957112345", "To": "1", **params}
        headers = {twiml.SIGNATURE_HEADER: twiml.signature(ivr_secret, URL, data.items())}
        assert caller.post("/ivr/voice/hotline", data=data, headers=headers).status_code == 200

    offered = _offers_until(
        consoles[ready.id], lambda calls: [c["call_id"] for c in calls] == ["S1"]
    )
    assert offered and offered[-1]["args"][0]["calls"][0]["call_id"] == "S1"
    assert offered[-1]["args"][0]["calls"][0]["city"] == "浙江省杭州市"
    assert [m for m in consoles[away.id].get_received(DESK) if m["name"] == OFFER] == []
    for client in consoles.values():
        client.disconnect(DESK)


def test_the_caller_is_told_again_as_often_as_the_setting_says(app, dial, tmp_path):
    """HELPDESK_QUEUE_ANNOUNCE_SECONDS: the Pause before the Redirect that tells them again."""
    from dataclasses import replace

    from helpdesk.channels.phone.config import from_env

    original = app.extensions[KEY]
    app.extensions[KEY] = replace(original, queue_announce_seconds=45)
    try:
        held = dial.queue("S1")
    finally:
        app.extensions[KEY] = original
    pause = next(v for v in held if v.tag == "Pause")
    assert pause.get("length") == "45" and held[-1].tag == "Redirect"
    env = {"HELPDESK_CTI_TOKEN": "x"}
    assert from_env(tmp_path, env).queue_announce_seconds == 30
    assert (
        from_env(tmp_path, {**env, "HELPDESK_QUEUE_ANNOUNCE_SECONDS": "20"}).queue_announce_seconds
        == 20
    )
    for bad in ("5", "abc", "-1", "9999"):
        with pytest.raises(ValueError, match="HELPDESK_QUEUE_ANNOUNCE_SECONDS"):
            from_env(tmp_path, {**env, "HELPDESK_QUEUE_ANNOUNCE_SECONDS": bad})


def test_a_ticket_left_by_a_web_process_that_died_is_made_at_the_sweep(
    app, dial, session, monkeypatch
):
    """In a web process a queued call's ticket is made after the caller's reply (later.py). A
    process that dies first leaves the mark in the row: the sweep makes the ticket, once the
    call has waited long enough that no live process is still about to."""
    from datetime import timedelta

    from sqlalchemy import select

    from helpdesk import clock
    from helpdesk.channels.phone import later
    from helpdesk.channels.phone.models import CallRecord
    from helpdesk.channels.phone.sweep import run as sweep
    from helpdesk.tickets.models import Channel, Ticket

    monkeypatch.setitem(later._maker, "app", app)  # a web process ...
    monkeypatch.setattr(later, "submit", lambda call_record_id: None)  # ... gone before its task
    clock.freeze(clock.now())
    assert "您排在第1位" in _said(dial.queue("CA-left"))  # the caller did not wait for it
    record = session.scalar(select(CallRecord).where(CallRecord.call_id == "CA-left"))
    assert record.ticket_id is None
    assert sweep() == [] and session.get(CallRecord, record.id).ticket_id is None  # too soon

    clock.advance(later.ORPHAN_AGE + timedelta(seconds=1))
    sweep()
    session.expire_all()
    record = session.get(CallRecord, record.id)
    ticket = session.get(Ticket, record.ticket_id)
    assert ticket is not None and ticket.channel is Channel.PHONE
    assert later.PENDING not in record.ivr_state["outcome"]
    assert later.make_pending(session, timedelta(0)) == []  # made once


def test_a_hand_over_while_the_ticket_is_made_is_kept(
    app, dial, session, make_org, make_user, monkeypatch
):
    """The ticket of a queued call is made after the reply; a supervisor who hands the call to
    a named agent while it is being made keeps the hand-over (the maker read the row before)."""
    from sqlalchemy import select

    from helpdesk.auth.models import User
    from helpdesk.channels.phone import later, queue
    from helpdesk.channels.phone.models import CallRecord
    from helpdesk.extensions import db

    named = make_user(Role.AGENT, make_org(OrgKind.SERVICE_CENTRE), extension="8003")
    monkeypatch.setitem(later._maker, "app", app)
    monkeypatch.setattr(later, "submit", lambda call_record_id: None)
    dial.queue("CA-handed")
    stale = session.scalar(select(CallRecord).where(CallRecord.call_id == "CA-handed"))
    assert stale.ticket_id is None and stale.ivr_state["outcome"][later.PENDING]

    with app.app_context():  # the supervisor, in another request, while the maker works
        other = db.session()
        queue.hand_to(other, other.get(CallRecord, stale.id), other.get(User, named.id))
        other.commit()
        db.session.remove()

    assert later.make_ticket(session, stale)
    session.commit()
    session.expire_all()
    record = session.get(CallRecord, stale.id)
    assert record.ticket_id is not None
    assert record.ivr_state["offered_to"] == named.id
    assert later.PENDING not in record.ivr_state["outcome"]


def test_a_call_queued_right_after_a_listing_is_offered_without_waiting_for_a_tick(
    socket_app, ivr_secret, make_org, make_user, log_in, monkeypatch
):
    """The sender emits a listing as soon as a queued call commits (in a web process: once the
    loop is idle), not at its next tick: with the tick made a minute long, the second call,
    queued right after the first one's listing, still reaches the console at once."""
    from helpdesk.channels.phone import sockets

    monkeypatch.setattr(sockets, "QUEUE_TICK_SECONDS", 60.0)
    application, socketio = socket_app
    config = application.extensions[KEY]
    application.extensions[KEY] = type(config)(**{**config.__dict__, "ivr_secret": ivr_secret})
    agent = make_user(Role.AGENT, make_org(OrgKind.SERVICE_CENTRE), extension="8001")
    http = application.test_client()
    log_in(http, agent)
    console = socketio.test_client(application, namespace=DESK, flask_test_client=http)
    console.get_received(DESK)
    caller = application.test_client()

    def queue(sid: str) -> None:
        for params in ({"CallStatus": "ringing"}, {"Digits": "0"}, {"Digits": "00"}):
            data = {"CallSid": sid, "From": "+8613957112345", "To": "1", **params}
            headers = {twiml.SIGNATURE_HEADER: twiml.signature(ivr_secret, URL, data.items())}
            assert caller.post("/ivr/voice/hotline", data=data, headers=headers).status_code == 200

    def listed(*sids: str):
        return lambda calls: [c["call_id"] for c in calls] == list(sids)

    queue("T1")
    assert _offers_until(console, listed("T1"))
    queue("T2")  # the sender has just sent: before, it slept a tick (here 60 s) first
    offered = _offers_until(console, listed("T1", "T2"), seconds=20)
    assert offered and listed("T1", "T2")(offered[-1]["args"][0]["calls"])
    console.disconnect(DESK)
