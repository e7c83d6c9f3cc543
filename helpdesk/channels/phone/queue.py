"""The phone queue: calls the IVR put in the queue (press 0) wait here, in ring order, until an
agent accepts one on their console (as a chat offer) or the supervisor hands it to a named agent.

Offers go, after commit, to the consoles of agents who are available (and to the supervisors'
wallboard); the first accept wins by one conditional UPDATE, so two agents clicking at once
cannot both get the call. The caller hears their position and estimated wait (`announcement`).
"""

from __future__ import annotations

import math
import threading
import time
from typing import Any

from sqlalchemy import ColumnElement, and_, bindparam, func, or_, select, update
from sqlalchemy.orm import Session, joinedload

from helpdesk import clock
from helpdesk.auth.models import User
from helpdesk.channels.phone.models import CallRecord, CallStatus
from helpdesk.directory.phone_format import national
from helpdesk.errors import Conflict, InvalidInput

QUEUED = "queue"  # the IVR outcome of a call waiting for an agent
MINUTES_PER_CALL = 3  # the wait estimate's guess of one call's length
OFFER = "phone.queue"  # event on /desk: the waiting calls, to available agents and supervisors


def _waiting_now() -> ColumnElement[bool]:
    return and_(CallRecord.status == CallStatus.RINGING, CallRecord.ivr_outcome == QUEUED)


def waiting(session: Session, limit: int = 200) -> list[CallRecord]:
    """Calls waiting for an agent, longest waiting first, with their enterprises (one query)."""
    return list(
        session.scalars(
            select(CallRecord)
            .where(_waiting_now())
            .options(joinedload(CallRecord.enterprise))
            .order_by(CallRecord.ring_at, CallRecord.id)
            .limit(limit)
        )
    )


def is_waiting(record: CallRecord) -> bool:
    return record.status is CallStatus.RINGING and record.ivr_outcome == QUEUED


# Built once: each of 50 calls queued at once built and cache-keyed this expression again
# (bench/phone_queue.py, BENCH_PROFILE=1: about a tenth of the burst's CPU).
_AHEAD = (
    select(func.count())
    .select_from(CallRecord)
    .where(
        _waiting_now(),
        or_(
            CallRecord.ring_at < bindparam("ring_at", type_=CallRecord.ring_at.type),
            and_(
                CallRecord.ring_at == bindparam("ring_at", type_=CallRecord.ring_at.type),
                CallRecord.id < bindparam("id"),
            ),
        ),
    )
)


def position(session: Session, record: CallRecord) -> int:
    """1 for the next call to be taken; 0 when the call is not waiting."""
    if not is_waiting(record):
        return 0
    # A count, not the waiting rows: each of 50 calls queued at once read all the others
    # (bench/phone_queue.py: 13 % of the web process's CPU in the burst).
    ahead = session.scalar(_AHEAD, {"ring_at": record.ring_at, "id": record.id})
    return 1 + int(ahead or 0)


def expected_wait_minutes(place: int, agents: int) -> int:
    """A rough minute count the caller can believe: calls ahead shared among the agents."""
    return max(1, math.ceil(place * MINUTES_PER_CALL / max(1, agents)))


def announcement(place: int, minutes: int) -> str:
    return f"您前面还有{place - 1}位来电，您排在第{place}位，预计等待约{minutes}分钟，请稍候。"


# The recorded pieces an AGI caller hears around the numbers Asterisk says itself (SAY NUMBER):
# "您排在第 <place> 位，预计等待约 <minutes> 分钟，请稍候。" Rendered by `helpdesk ivr prompts`.
SPOKEN = {
    "queue/place": "您排在第",
    "queue/wait": "位，预计等待约",
    "queue/minutes": "分钟，请稍候。",
}


def told_in_parts(session: Session, record: CallRecord) -> tuple[int, int]:
    """The caller's place and the estimated minutes, for a PBX that says numbers itself."""
    place = position(session, record)
    return place, expected_wait_minutes(place, available_agents())


# The wait estimate's agent count, read from the shared presence at most once per
# PRESENCE_FRESH_SECONDS per process (and by the offer sender each time it sends): 50 calls
# queued at once each read and decoded everyone's presence, 2 Redis round trips and 13 % of
# a queued call's CPU (bench/phone_queue.py). The estimate is a rough minute count anyway.
PRESENCE_FRESH_SECONDS = 1.0
_agents_lock = threading.Lock()
_agents: dict[str, float] = {"count": 0, "at": -math.inf}


def available_agents() -> int:
    """Agents with a console open who are available (the shared presence, as recently read)."""
    with _agents_lock:  # one reader at a time: the others take its count
        if time.monotonic() - _agents["at"] > PRESENCE_FRESH_SECONDS:
            remember_available(len(available_consoles()))
        return int(_agents["count"])


def remember_available(count: int) -> None:
    """What the presence said just now (the offer sender reads it for its listing)."""
    _agents["count"], _agents["at"] = count, time.monotonic()


def available_consoles() -> list[int]:
    """People available now with a /desk console open (the shared presence, read now)."""
    from helpdesk.realtime import presence
    from helpdesk.realtime.rooms import DESK

    return [
        user_id
        for user_id, value in presence.everyone().items()
        if value.get("state") == presence.AVAILABLE and DESK in (value.get("namespaces") or [])
    ]


def tell_caller(session: Session, record: CallRecord) -> str:
    """What the waiting caller hears now."""
    place = position(session, record)
    return announcement(place, expected_wait_minutes(place, available_agents()))


def offers(session: Session) -> list[dict[str, Any]]:
    """What an agent's console shows for each waiting call: number, city, enterprise, wait."""
    now = clock.now()
    shown = []
    for place, record in enumerate(waiting(session), start=1):
        offered = (record.ivr_state or {}).get("offered_to")
        shown.append(
            {
                "call_id": record.call_id,
                "position": place,
                "number_display": national(record.caller_e164) or record.from_number or "",
                "city": record.caller_city,
                "enterprise": record.enterprise.name if record.enterprise else None,
                "since": record.ring_at.isoformat(),
                "wait_seconds": max(0, int((now - record.ring_at).total_seconds())),
                "offered_to": offered,
            }
        )
    return shown


def take(session: Session, agent: User, record: CallRecord) -> CallRecord:
    """The agent accepts the waiting call: first come, first served across processes. A call
    the supervisor handed to someone else is theirs alone."""
    if not agent.is_staff:
        raise InvalidInput("calls are answered by centre staff", field="call_id")
    offered = (record.ivr_state or {}).get("offered_to")
    if offered is not None and offered != agent.id:
        raise Conflict("this call was handed to a colleague", field="call_id")
    now = clock.now()
    result: Any = session.execute(
        update(CallRecord)
        .where(
            CallRecord.id == record.id,
            CallRecord.status == CallStatus.RINGING,
            CallRecord.ivr_outcome == QUEUED,
        )
        .values(status=CallStatus.ANSWERED, answer_at=now, answered_by_id=agent.id)
        .execution_options(synchronize_session=False)
    )
    if not result.rowcount:
        raise Conflict("another agent has taken this call", field="call_id")
    session.refresh(record)
    return record


def hand_to(session: Session, record: CallRecord, agent: User) -> None:
    """The supervisor sends a waiting call to a named agent: it waits for them alone."""
    if not is_waiting(record):
        raise Conflict("the call is no longer waiting", field="call_id")
    if not agent.is_staff or not agent.active:
        raise InvalidInput("no such agent", field="agent_id")
    record.ivr_state = {**(record.ivr_state or {}), "offered_to": agent.id}
    record.updated_at = clock.now()
