"""The screen pop: after the answer commits, the answering agent's own /desk room gets the
caller's profile. Nobody else's room: a pop names an enterprise and its tickets.

Also after commit: the answering agent's presence (busy on the call, after-call work once it
ends), told to `helpdesk.realtime.presence`."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from helpdesk.extensions import socketio
from helpdesk.realtime.rooms import DESK, user_room

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


def broadcast_queue(listing: dict[str, Any]) -> None:
    """The waiting calls to every available agent's console and to the supervisors."""
    from helpdesk.channels.phone.queue import OFFER
    from helpdesk.realtime import emit, presence

    try:
        emit.emit_to_supervisors(OFFER, listing)
        for user_id, value in presence.everyone().items():
            if value.get("state") == presence.AVAILABLE and DESK in (value.get("namespaces") or []):
                emit.emit_to_user(user_id, OFFER, listing)
    except Exception:  # an offer must never undo a committed call record
        log.exception("phone queue offers not sent")


@event.listens_for(Session, "before_commit")
def _read_queue(session: Session) -> None:
    """The offers as this transaction leaves the queue, read while it may still run SQL."""
    if session.info.get(_QUEUE) is True:
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
    listing = session.info.pop(_QUEUE, None)
    if isinstance(listing, dict):
        broadcast_queue(listing)


@event.listens_for(Session, "after_rollback")
def _drop(session: Session) -> None:
    session.info.pop(_PENDING, None)
    session.info.pop(_CALLS, None)
    session.info.pop(_QUEUE, None)
