"""Sending to rooms from anywhere: a web process serving sockets emits through its own server
(which publishes on the Redis message queue for the others); any other process (an RQ worker,
a CLI command) through a write-only emitter on the same Redis. With neither, nothing is sent.

These are the stable helpers other packages use (the chat channel, the phone channel, SLA):

    emit_to_user(user_id, event, payload)        emit_to_org(org_id, event, payload)
    emit_to_ticket(ticket_id, event, payload)    emit_to_supervisors(event, payload)
    emit_to_users(user_ids, event, payload, also=(room,))
"""

from __future__ import annotations

import logging
from typing import Any

from flask_socketio import SocketIO

from helpdesk import redis_connections
from helpdesk.extensions import socketio
from helpdesk.realtime import rooms
from helpdesk.realtime.notify import emitter

log = logging.getLogger(__name__)


def sender() -> SocketIO | None:
    """The SocketIO to emit with in this process, or None when nothing can be delivered."""
    if socketio.server is not None:
        return socketio
    url = redis_connections.redis_url()
    return emitter(url) if url else None


def emit(
    event: str, payload: dict[str, Any], room: str | list[str], namespace: str = rooms.DESK
) -> bool:
    """Emit to one room, or to several as one message (one publish on the message queue; a
    socket in two of them gets it once); never raises (a push must not undo a committed
    change)."""
    target = sender()
    if target is None:
        return False
    try:
        target.emit(event, payload, to=room, namespace=namespace)
    except Exception:
        log.exception("emit %s to %s failed", event, room)
        return False
    return True


def emit_to_user(user_id: int, event: str, payload: dict[str, Any]) -> bool:
    return emit(event, payload, rooms.user_room(user_id))


def emit_to_users(
    user_ids: list[int], event: str, payload: dict[str, Any], also: tuple[str, ...] = ()
) -> bool:
    """One payload to many people's rooms (and `also` rooms) in one emit: on gevent each emit
    waits its turn on the loop for its Redis publish, so 20 consoles cost 1 wait, not 20."""
    targets = [*also, *(rooms.user_room(user_id) for user_id in user_ids)]
    return emit(event, payload, targets) if targets else False


def emit_to_org(organisation_id: int, event: str, payload: dict[str, Any]) -> bool:
    return emit(event, payload, rooms.org_room(organisation_id))


def emit_to_ticket(ticket_id: int, event: str, payload: dict[str, Any]) -> bool:
    return emit(event, payload, rooms.ticket_room(ticket_id))


def emit_to_supervisors(event: str, payload: dict[str, Any]) -> bool:
    return emit(event, payload, rooms.SUPERVISORS_ROOM)


def disconnect(sid: str, namespace: str = rooms.DESK) -> None:
    """Close one socket's namespace, whichever process holds it (through the message queue)."""
    target = sender()
    if target is not None and target.server is not None:
        try:
            target.server.disconnect(sid, namespace=namespace)
        except Exception:
            log.exception("disconnect %s failed", sid)


def close_room(room: str, namespace: str = rooms.DESK) -> None:
    """Empty a room in every process; members that may still see it join again."""
    target = sender()
    if target is not None and target.server is not None:
        try:
            target.server.close_room(room, namespace=namespace)
        except Exception:
            log.exception("close_room %s failed", room)
