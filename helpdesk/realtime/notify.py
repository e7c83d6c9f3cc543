"""Live notifications from outside a web process (RQ workers), through the Redis message queue.

Flask-SocketIO's "emitting from an external process": a write-only SocketIO bound to the same
Redis the web processes listen on; every connected staff console in the named rooms gets it.
"""

from __future__ import annotations

import os
from typing import Any

from flask_socketio import SocketIO

from helpdesk import redis_connections
from helpdesk.realtime import rooms

SLA_ALERT = "sla_alert"  # event on /desk: a timer step fired (warning, escalation, 督办)
_emitters: dict[str, SocketIO] = {}
os.register_at_fork(after_in_child=_emitters.clear)  # a forked worker opens its own


def emitter(redis_url: str) -> SocketIO:
    found = _emitters.get(redis_url)
    if found is None:
        found = _emitters[redis_url] = SocketIO(message_queue=redis_url)
    return found


def emit_to_users(redis_url: str, event: str, payload: dict[str, Any], users: list[int]) -> None:
    socket = emitter(redis_url)
    for user_id in users:
        socket.emit(event, payload, to=rooms.user_room(user_id), namespace=rooms.DESK)


def notify_sla(outcome: Any) -> None:
    """Tell each person a fired SLA step names (its `recipients`)."""
    url = redis_connections.redis_url()
    if url is None or not outcome.recipients:
        return
    payload = {
        "ticket_id": outcome.ticket_id,
        "kind": outcome.kind,
        "stage_id": outcome.stage_id,
        "number": outcome.number,
        "subject": outcome.subject,
    }
    emit_to_users(url, SLA_ALERT, payload, list(outcome.recipients))
