"""After-call work ends by itself: an agent who forgets to click takes calls again."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from helpdesk import clock
from helpdesk.realtime import after_call_seconds, presence
from helpdesk.realtime.store import current_store


@pytest.fixture
def desk(app):
    with app.app_context():
        store = current_store()
        store.clear()  # type: ignore[attr-defined]  # the memory store: this app has no Redis
        clock.freeze(datetime(2026, 11, 30, 1, 0, tzinfo=UTC))  # a Monday, 09:00 in Hangzhou
        presence.socket_opened(41, "sid-41", "key-41", "李娜")
        presence.socket_opened(42, "sid-42", "key-42", "张伟")
        yield
        store.clear()  # type: ignore[attr-defined]


def test_after_call_work_ends_after_the_limit_and_not_before(desk) -> None:
    presence.call_started(41, "call-1")
    presence.call_ended(41, "call-1")
    assert presence.get(41)["state"] == "after_call"
    clock.advance(timedelta(seconds=119))
    assert presence.end_wrap_up(120) == []
    assert presence.get(41)["state"] == "after_call"
    clock.advance(timedelta(seconds=2))
    assert presence.end_wrap_up(120) == [41]
    assert presence.get(41)["state"] == "available"


def test_a_chosen_state_and_a_new_call_are_left_alone(desk) -> None:
    presence.choose(42, "after_call")  # chosen by hand: theirs to end
    presence.call_started(41, "call-1")
    presence.call_ended(41, "call-1")
    presence.call_started(41, "call-2")  # the next call came in during wrap-up
    clock.advance(timedelta(minutes=10))
    assert presence.end_wrap_up(120) == []
    assert presence.get(41)["state"] == "busy"
    assert presence.get(42)["state"] == "after_call"


def test_zero_means_no_limit(desk) -> None:
    presence.call_started(41, "call-1")
    presence.call_ended(41, "call-1")
    clock.advance(timedelta(hours=3))
    assert presence.end_wrap_up(0) == []
    assert presence.get(41)["state"] == "after_call"


def test_a_bad_limit_names_the_variable() -> None:
    assert after_call_seconds({}) == 120
    assert after_call_seconds({"HELPDESK_AFTER_CALL_SECONDS": "45"}) == 45
    with pytest.raises(ValueError, match="HELPDESK_AFTER_CALL_SECONDS='two minutes'"):
        after_call_seconds({"HELPDESK_AFTER_CALL_SECONDS": "two minutes"})


def test_finishing_wrap_up_or_its_timeout_times_the_call(desk, session, make_user, make_org):
    from helpdesk.auth.models import Role
    from helpdesk.channels.phone import wrap_up
    from helpdesk.channels.phone.models import CallDirection, CallRecord, CallStatus

    agent = make_user(Role.AGENT, make_org())
    presence.socket_opened(agent.id, "sid-a", "key-a", agent.name)

    def hang_up(call_id: str) -> CallRecord:
        call = CallRecord(call_id=call_id, source="cti", direction=CallDirection.IN,
                          status=CallStatus.ENDED, ring_at=clock.now(), answer_at=clock.now(),
                          end_at=clock.now(), answered_by_id=agent.id)  # fmt: skip
        session.add(call)
        session.commit()
        presence.call_started(agent.id, call_id)
        presence.call_ended(agent.id, call_id)
        return call

    first = hang_up("call-a")
    clock.advance(timedelta(seconds=45))
    assert (
        wrap_up.chosen(agent.id, "available", agent.name, 120)["state"] == "available"
    )  # 完成整理
    session.expire_all()
    assert first.wrap_up_seconds == 45
    wrap_up.chosen(agent.id, "busy", agent.name, 120)  # not a wrap-up: nothing written
    second = hang_up("call-b")
    clock.advance(timedelta(seconds=130))
    assert wrap_up.timed_out(120) == [agent.id]
    session.expire_all()
    assert (first.wrap_up_seconds, second.wrap_up_seconds) == (45, 120)  # capped at the limit
