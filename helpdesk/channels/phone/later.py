"""A queued call's ticket, made after the IVR's reply in a web process (bench/phone_queue.py).

The IVR queues a call in one commit; its offer goes to the consoles from that row. Making the
call's ticket (routing, SLA, the outbox, on SQLite the write lock) cost most of the request's
time, and 50 calls queued at once made every offer wait behind 50 tickets on the one gevent
loop. So in a web process the call is committed with `outcome.ticket_pending`, the caller is
answered at once, and one background task per process makes the tickets one at a time, in the
order the calls were queued. Elsewhere (the test client, the FastAGI server, CLI commands) the
ticket is made in the request, after the queued call's commit, as before.

A web process that dies with tickets still to make leaves them marked in the rows:
`make_pending` (the hang-up sweep) makes those older than a minute. A script whose queue
prompt speaks the number (`{ticket}`) has it made in the request.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from datetime import timedelta
from typing import Any

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from helpdesk import clock
from helpdesk.channels.phone.models import CallRecord

log = logging.getLogger(__name__)

PENDING = "ticket_pending"  # in the call's ivr_state["outcome"]: its ticket is still to make
ORPHAN_AGE = timedelta(minutes=1)  # then the sweep makes a pending ticket itself
BATCH = 200
IDLE_WAIT_SECONDS = 0.5  # at most this long before each ticket, waiting for an idle loop
QUIET_SECONDS = 0.25  # no call queued for this long: a burst is over, its tickets are made
MOST_SECONDS = 2.0  # ... but no ticket waits longer than this for the burst to end

_lock = threading.Lock()
_maker: dict[str, Any] = {"app": None, "running": False, "made": 0, "last": 0.0}
_waiting: deque[int] = deque()


def start_background(app: Flask) -> None:
    """In a web process: queued calls' tickets are made by a background task from now on."""
    _maker["app"] = app


def deferred() -> bool:
    """Whether this process makes queued calls' tickets after the reply."""
    return _maker["app"] is not None


def submit(call_record_id: int) -> None:
    """After the commit that marked the call: its ticket is made soon, after those before it."""
    from helpdesk.extensions import socketio

    with _lock:
        _waiting.append(call_record_id)
        _maker["last"] = time.monotonic()
        if _maker["running"]:
            return
        _maker["running"] = True
    try:
        socketio.start_background_task(_run)
    except Exception:
        with _lock:
            _maker["running"] = False
        log.exception("phone ticket maker not started; the sweep makes the tickets")


def made() -> int:
    """How many tickets this process's background task has made (tests)."""
    return int(_maker["made"])


def _run() -> None:
    from helpdesk.extensions import db

    try:
        _after_the_burst()
        while True:
            with _lock:
                if not _waiting:
                    _maker["running"] = False
                    return
                call_record_id = _waiting.popleft()
            try:
                with _maker["app"].app_context():
                    session = db.session()
                    try:
                        record = session.get(CallRecord, call_record_id)
                        if record is not None and make_ticket(session, record):
                            _maker["made"] += 1
                        session.commit()
                    except Exception:
                        session.rollback()
                        raise
                    finally:
                        db.session.remove()
            except Exception:  # the mark stays in the row: the sweep makes it later
                log.exception("ticket for queued call %s not made", call_record_id)
            _after_the_burst()
    except BaseException:
        with _lock:
            _maker["running"] = False
        raise


def _after_the_burst() -> None:
    """Wait until no call was queued for QUIET_SECONDS (at most MOST_SECONDS): 50 calls
    queued at once are all answered and offered before the first of their tickets is made."""
    from helpdesk.extensions import socketio

    started = time.monotonic()
    while True:
        now = time.monotonic()
        left = min(_maker["last"] + QUIET_SECONDS, started + MOST_SECONDS) - now
        if left <= 0:
            break
        socketio.sleep(left)
    _when_idle()


def _when_idle() -> None:
    """The requests, the offers and the callers' replies go first. Profiled
    (bench/phone_queue.py, BENCH_PROFILE=1): yielding only once per ticket, this task took
    40 % of a burst's CPU while offers waited."""
    from helpdesk.runner.idle import BACKGROUND, when_idle

    when_idle(IDLE_WAIT_SECONDS, BACKGROUND)  # a loop never idle still gets its tickets


def make_ticket(session: Session, record: CallRecord) -> bool:
    """The call's pending ticket, linked to it; the caller commits. False: none was pending
    (already made by another), or the path gave none (the reason is kept in the outcome)."""
    from helpdesk.channels.phone import service
    from helpdesk.channels.phone.ivr.state import CallState

    outcome = dict((record.ivr_state or {}).get("outcome") or {})
    if not outcome.pop(PENDING, False) or record.ticket_id is not None:
        return False
    state = CallState.from_dict({**(record.ivr_state or {}), "outcome": outcome})
    ticket = service.ticket_for_path(session, record, state)
    # Making the ticket took a while: a supervisor may have handed the call on meanwhile
    # (`offered_to`). Read the row again, locked, and change only the outcome in it.
    session.refresh(record, attribute_names=["ivr_state"], with_for_update=True)
    record.ivr_state = {**(record.ivr_state or {}), "outcome": state.outcome}
    if ticket is None:
        return False
    record.ticket_id = ticket.id
    return True


def make_pending(session: Session, older_than: timedelta = ORPHAN_AGE) -> list[str]:
    """Tickets still pending on calls queued more than `older_than` ago (a web process died
    before making them): made now, one commit each; their call ids. At the hang-up sweep."""
    from helpdesk.channels.phone.queue import QUEUED

    cutoff = clock.now() - older_than
    candidates = session.scalars(
        select(CallRecord)
        .where(
            CallRecord.ivr_outcome == QUEUED,
            CallRecord.ticket_id.is_(None),
            CallRecord.updated_at < cutoff,
        )
        .order_by(CallRecord.id)
        .limit(BATCH)
    ).all()
    done: list[str] = []
    for record in candidates:
        if ((record.ivr_state or {}).get("outcome") or {}).get(PENDING):
            make_ticket(session, record)
            session.commit()
            done.append(record.call_id)
    if done:
        log.warning("made the tickets of %d queued calls a web process left", len(done))
    return done
