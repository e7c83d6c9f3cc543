"""The Zammad-compatible CTI webhook: replies, validation, duplicates and out-of-order events."""

from __future__ import annotations

from sqlalchemy import select

from helpdesk import clock
from helpdesk.auth.models import Role
from helpdesk.channels.phone.models import BlockedNumber, CallRecord, CallStatus
from helpdesk.directory.models import OrgKind


def record(session, call_id):
    session.expire_all()
    return session.scalars(select(CallRecord).where(CallRecord.call_id == call_id)).one()


def test_a_full_inbound_call_as_form_posts(post_cti, session, make_org, make_user):
    agent = make_user(Role.AGENT, make_org(OrgKind.SERVICE_CENTRE), extension="8001")
    start = clock.now()
    clock.freeze(start)
    base = {"from": "057187001234", "to": "12345", "direction": "in", "callId": "c-1"}
    reply = post_cti(event="newCall", queue="hotline", **{"user[]": ["坐席一", "坐席二"]}, **base)
    assert (reply.status_code, reply.get_json()) == (200, {})
    clock.advance(__import__("datetime").timedelta(seconds=12))
    assert post_cti(event="answer", answeringNumber="8001", **base).get_json() == {}
    clock.advance(__import__("datetime").timedelta(seconds=95))
    post_cti(event="hangup", cause="normalClearing", answeringNumber="8001", **base)
    call = record(session, "c-1")
    assert call.status is CallStatus.ENDED and call.answered_by_id == agent.id
    assert (call.wait_seconds, call.talk_seconds, call.missed) == (12, 95, False)
    assert call.caller_e164 == "+8657187001234" and call.caller_city == "浙江省杭州市"
    assert call.users == ["坐席一", "坐席二"] and call.queue == "hotline"


def test_json_body_and_a_missed_call_enters_the_callback_list(post_cti, session):
    base = {"from": "+8613800138000", "to": "12345", "direction": "in", "callId": "c-2"}
    assert post_cti(as_json=True, event="newCall", user=["甲"], **base).get_json() == {}
    post_cti(as_json=True, event="hangup", cause="noAnswer", **base)
    call = record(session, "c-2")
    assert call.missed and call.cause == "noAnswer" and call.caller_carrier == "中国移动"
    from helpdesk.channels.phone import service

    assert [c.call_id for c in service.callbacks(session)] == ["c-2"]


def test_an_answering_number_that_is_no_one_leaves_the_answer_unattributed(post_cti, session):
    base = {"from": "057187001234", "to": "12345", "direction": "in", "callId": "c-big"}
    post_cti(event="newCall", **base)
    huge = str(2**70)  # all digits, as a PBX sends extensions, but no row id fits it
    assert post_cti(event="answer", answeringNumber=huge, **base).status_code == 200
    call = record(session, "c-big")
    assert call.status is CallStatus.ANSWERED and call.answered_by_id is None
    assert call.answering_number == huge


def test_duplicates_change_nothing(post_cti, session):
    base = {"from": "057187001234", "to": "1", "direction": "in", "callId": "dup"}
    for _ in range(3):
        assert post_cti(event="newCall", **base).status_code == 200
    post_cti(event="answer", user="x", **base)
    first = record(session, "dup").answer_at
    post_cti(event="answer", user="y", **base)
    post_cti(event="hangup", cause="normalClearing", **base)
    ended = record(session, "dup").end_at
    post_cti(event="hangup", cause="busy", **base)
    call = record(session, "dup")
    assert session.query(CallRecord).count() == 1
    assert (call.answer_at, call.end_at, call.cause) == (first, ended, "normalClearing")


def test_out_of_order_events(post_cti, session):
    base = {"from": "057187001234", "to": "1", "direction": "in"}
    post_cti(event="newCall", callId="late", **base)
    post_cti(event="hangup", cause="cancel", callId="late", **base)
    assert record(session, "late").status is CallStatus.ENDED
    # an answer after the hangup is ignored
    post_cti(event="answer", callId="late", **base)
    assert record(session, "late").answer_at is None
    # a repeated newCall after its hangup fills what was missing, and nothing else
    post_cti(event="newCall", callId="late", queue="q1", **base)
    call = record(session, "late")
    assert call.status is CallStatus.ENDED and call.queue == "q1"
    # an answer or a hangup with no newCall invents no record (issue 12)
    post_cti(event="answer", callId="only-answer", **base)
    post_cti(event="hangup", callId="only-hangup", **base)
    assert session.query(CallRecord).count() == 1


def test_blocked_caller_is_rejected(post_cti, session):
    session.add(BlockedNumber(number="+8613900000000", note="骚扰"))
    session.commit()
    from helpdesk.channels.phone import service

    service.forget_blocklist()
    reply = post_cti(
        event="newCall", **{"from": "13900000000", "to": "1", "direction": "in", "callId": "b"}
    )
    assert reply.get_json() == {"action": "reject", "reason": "busy"}
    assert record(session, "b").missed is False


def test_outbound_caller_id_rewriting(app, post_cti):
    from helpdesk.channels.phone.config import KEY

    config = app.extensions[KEY]
    app.extensions[KEY] = type(config)(**{**config.__dict__, "outbound_caller_id": "057187000000"})
    try:
        reply = post_cti(
            event="newCall",
            **{"from": "8001", "to": "13800138000", "direction": "out", "callId": "o"},
        )
    finally:
        app.extensions[KEY] = config
    assert reply.get_json() == {
        "action": "dial",
        "caller_id": "057187000000",
        "number": "13800138000",
    }


def test_wrong_token_is_401(client):
    reply = client.post("/api/v1/cti/nope", data={"event": "newCall"})
    assert reply.status_code == 401
    assert reply.get_json()["error"]["code"] == "unauthenticated"


def test_malformed_events_are_422_naming_the_field(post_cti, session):
    cases = [
        ({"event": "ring", "callId": "x"}, "event"),
        ({"event": "answer"}, "callId"),
        (
            {"event": "newCall", "callId": "x", "from": "1", "to": "2", "direction": "up"},
            "direction",
        ),
        ({"event": "newCall", "callId": "x", "to": "2", "direction": "in"}, "from"),
        ({"event": "hangup", "callId": "x", "cause": "x" * 65}, "cause"),
        ({"event": "answer", "callId": "x" * 251}, "callId"),
    ]
    for fields, field in cases:
        reply = post_cti(**fields)
        assert reply.status_code == 422, fields
        assert reply.get_json()["error"]["field"] == field
    assert session.query(CallRecord).count() == 0
