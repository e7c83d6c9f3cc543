"""The screen pop: after the answer commits, the answering agent's own /desk room gets the
caller's profile. Nobody else's room: a pop names an enterprise and its tickets.

Also after commit: the answering agent's presence (busy on the call, after-call work once it
ends), told to `helpdesk.realtime.presence`."""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from helpdesk.db import savepoint_released
from helpdesk.extensions import socketio
from helpdesk.realtime.rooms import DESK, SUPERVISORS_ROOM, user_room

log = logging.getLogger(__name__)

SCREEN_POP = "phone.screen_pop"  # event name on /desk
CALL_UPDATE = "phone.call"  # a call's status changed (console lists refresh)
_PENDING = "helpdesk.phone_pops"
_CALLS = "helpdesk.phone_presence"
_QUEUE = "helpdesk.phone_queue_changed"


def pop_after_commit(session: Session, user_id: int, payload: dict[str, Any]) -> None:
    session.info.setdefault(_PENDING, []).append((user_id, payload))


def on_call_after_commit(session: Session, user_id: int, call_id: str, talking: bool) -> None:
    """`talking`: the person answered the call; else their answered call ended."""
    session.info.setdefault(_CALLS, []).append((user_id, call_id, talking))


def queue_changed_after_commit(session: Session) -> None:
    """A call joined or left the phone queue: the offers go out again once it commits."""
    session.info[_QUEUE] = True


# Coalesced offers (bench/phone_queue.py): in a web process a queue change only marks the
# listing dirty after its commit and wakes one sender task per process, which reads the queue
# and emits it once the loop has nothing else ready to run (runner/idle.OFFERS), or a tick
# later at most: calls queued at once cost one listing after the last of their commits (and
# one per tick while a long burst lasts), not one per call, and none waits for a tick.
QUEUE_TICK_SECONDS = 0.05
_lock = threading.Lock()
_sender: dict[str, Any] = {"dirty": False, "running": False, "app": None, "sent": 0}
_between_listings = threading.Event()  # clear while the sender reads and sends a listing
_between_listings.set()


def mark_queue_dirty() -> None:
    """After a commit that changed the queue: the sender emits the current listing soon. The
    flag is cleared before the listing is read, so a change committed meanwhile sends again."""
    from flask import current_app, has_app_context

    if not has_app_context():
        return
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    with _lock:
        _sender["dirty"] = True
        _sender["app"] = app
        if _sender["running"]:
            return
        _sender["running"] = True
    try:
        socketio.start_background_task(_send_queue_loop)
    except Exception:
        with _lock:
            _sender["running"] = False
        log.exception("phone queue sender not started")


def queue_broadcasts() -> int:
    """How many listings this process has sent (tests, the benchmark)."""
    return int(_sender["sent"])


def after_offers(at_most: float) -> None:
    """For a just-queued caller's reply (voice.py): once the loop is idle, after the offer
    sender (a lower idle priority than its wait for the loop, runner/idle.py) and after the
    listing it is reading or sending, if any; `at_most` seconds in all. Calls queued at once
    all reach their commit and the consoles before any caller's reply is built."""
    from helpdesk.runner.idle import REPLIES, when_idle

    deadline = time.monotonic() + at_most
    when_idle(at_most, REPLIES)
    # The sender does not wait on the loop while it reads presence (Redis): give way there too.
    _between_listings.wait(max(0.0, deadline - time.monotonic()))


def _send_queue_loop() -> None:
    from helpdesk.channels.phone import queue
    from helpdesk.extensions import db
    from helpdesk.runner.idle import OFFERS, when_idle

    try:
        while True:
            with _lock:
                if not _sender["dirty"] or socketio.server is None:
                    _sender["running"] = False
                    return
                app = _sender["app"]
            _between_listings.clear()
            try:
                with app.app_context():  # the app's Redis: presence, the message queue
                    # Who is available first (2 Redis round trips, while the burst's requests
                    # still run), then the calls once the loop is idle: every call committed
                    # by then is in the listing, and it is current when sent.
                    available = queue.available_consoles()
                    queue.remember_available(len(available))  # the callers' wait estimate
                    when_idle(QUEUE_TICK_SECONDS, OFFERS)
                    with _lock:
                        _sender["dirty"] = False
                    try:
                        listing = {"calls": queue.offers(db.session())}
                    finally:
                        db.session.remove()
                    broadcast_queue(listing, available)
                _sender["sent"] += 1
            except Exception:  # the next change sends again; never let the task die silently
                log.exception("phone queue listing not sent")
                with _lock:
                    _sender["dirty"] = False
                socketio.sleep(QUEUE_TICK_SECONDS)
            finally:
                _between_listings.set()
    except BaseException:
        with _lock:
            _sender["running"] = False
        raise


def broadcast_queue(listing: dict[str, Any], available: list[int] | None = None) -> None:
    """The waiting calls to every available agent's console (`available`, read now if not
    given) and to the supervisors."""
    from helpdesk.channels.phone.queue import OFFER
    from helpdesk.realtime import emit

    try:
        if available is None:
            from helpdesk.channels.phone.queue import available_consoles

            available = available_consoles()
        # One message to all their rooms (bench/phone_queue.py: one emit per console made the
        # listing wait for 21 turns of a busy gevent loop, one per Redis publish).
        emit.emit_to_users(available, OFFER, listing, also=(SUPERVISORS_ROOM,))
    except Exception:  # an offer must never undo a committed call record
        log.exception("phone queue offers not sent")


@event.listens_for(Session, "before_commit")
def _read_queue(session: Session) -> None:
    """Without a Socket.IO server here (an RQ worker, a CLI), no sender task: the offers as this
    transaction leaves the queue, read while it may still run SQL, sent after the commit."""
    if session.info.get(_QUEUE) is True and socketio.server is None:
        from helpdesk.channels.phone import queue

        session.info[_QUEUE] = {"calls": queue.offers(session)}


def _presence(user_id: int, call_id: str, talking: bool) -> None:
    from helpdesk.realtime import presence

    try:
        if talking:
            presence.call_started(user_id, call_id)
        else:
            presence.call_ended(user_id, call_id)
    except Exception:  # as for pops: never undo a committed call record
        log.exception("presence for call %s of user %s failed", call_id, user_id)


def emit_pop(user_id: int, payload: dict[str, Any]) -> None:
    if socketio.server is None:  # no Socket.IO in this process (CLI, FastAGI without web)
        return
    try:
        socketio.emit(SCREEN_POP, payload, to=user_room(user_id), namespace=DESK)
    except Exception:  # a push must never undo a committed call record
        log.exception("screen pop for user %s failed", user_id)


@event.listens_for(Session, "after_commit")
def _send(session: Session) -> None:
    for user_id, payload in session.info.pop(_PENDING, []):
        emit_pop(user_id, payload)
    for user_id, call_id, talking in session.info.pop(_CALLS, []):
        _presence(user_id, call_id, talking)
    if savepoint_released(session):
        return  # a SAVEPOINT released (the IVR's ticket): the call is not committed yet
    listing = session.info.pop(_QUEUE, None)
    if isinstance(listing, dict):
        broadcast_queue(listing)
    elif listing is True:
        mark_queue_dirty()


@event.listens_for(Session, "after_rollback")
def _drop(session: Session) -> None:
    session.info.pop(_PENDING, None)
    session.info.pop(_CALLS, None)
    session.info.pop(_QUEUE, None)
