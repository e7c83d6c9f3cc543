"""The staff namespace `/desk`: logged-in staff only, each put in their own rooms on connect.

Every connect, join and presence change is authorised here against `helpdesk.auth.permissions`
(through `helpdesk.realtime.access`); refusals are logged and answered without data. Each
socket is registered under its user and browser login so that `revoke` can end it.
"""

from __future__ import annotations

from typing import Any

from flask import request
from flask_socketio import (
    ConnectionRefusedError,
    Namespace,
    disconnect,
    emit,
    join_room,
    leave_room,
)

from helpdesk.realtime import access, origins, payloads, presence, rooms
from helpdesk.realtime.revoke import login_key


def _sid() -> str:
    return str(request.sid)  # type: ignore[attr-defined]


class DeskNamespace(Namespace):
    def on_connect(self, auth: object = None) -> None:
        if not origins.allows(rooms.DESK):  # a site allowed only another namespace (the chat)
            access.refuse(None, "connect", f"origin {request.headers.get('Origin')!r}")
            raise ConnectionRefusedError("origin not allowed")
        user = access.require_staff("connect")
        joined = access.home_rooms(user)
        for room in joined:
            join_room(room)
        state = presence.socket_opened(user.id, _sid(), login_key(), user.name, rooms.DESK)
        emit(
            rooms.READY,
            {
                "user": user.login,
                "user_id": user.id,
                "role": user.role.value,
                "organisation_id": user.organisation_id,
                "rooms": joined,
                "presence": state,
            },
        )

    def on_join(self, data: Any = None) -> dict[str, Any]:
        room = payloads.RoomIn.read(data).room
        user = access.staff_user()
        if user is None:
            access.refuse(None, f"join {room!r}", "session no longer valid")
            disconnect()
            return {"ok": False, "room": room}
        if not access.may_join(user, room):
            access.refuse(user, f"join {room!r}", "not permitted")
            return {"ok": False, "room": room}
        join_room(room)
        return {"ok": True, "room": room}

    def on_leave(self, data: Any = None) -> dict[str, Any]:
        room = payloads.RoomIn.read(data).room
        kind, _ = rooms.parse(room)
        if kind == "ticket":
            leave_room(room)
            return {"ok": True, "room": room}
        return {"ok": False, "room": room}

    def on_presence(self, data: Any = None) -> dict[str, Any]:
        state = payloads.PresenceIn.read(data).state
        user = access.staff_user()
        if user is None:
            access.refuse(None, "presence", "session no longer valid")
            disconnect()
            return {"ok": False}
        if state not in presence.CHOOSABLE:
            access.refuse(user, f"presence {state!r}", "unknown state")
            return {"ok": False}
        # Only the person's choice: calls, the chat limit and lost connections are the server's.
        from flask import current_app

        from helpdesk.channels.phone import wrap_up
        from helpdesk.realtime import AFTER_CALL_SECONDS

        limit = current_app.extensions[AFTER_CALL_SECONDS]
        return {"ok": True, "presence": wrap_up.chosen(user.id, state, user.name, limit)}

    def on_disconnect(self, reason: object = None) -> None:
        from flask_login import current_user

        user_id = getattr(current_user, "id", None)
        if user_id is None:
            return
        presence.socket_closed(user_id, _sid())
