"""The staff namespace `/desk`: logged-in staff only, each put in their own rooms on connect.

The connection is authorised by the Flask-Login session cookie, as the pages are. Enterprise
users and anonymous visitors are refused; the live console arrives in a later issue.
"""

from __future__ import annotations

from flask_login import current_user
from flask_socketio import ConnectionRefusedError, Namespace, emit, join_room

from helpdesk.auth.permissions import can_see_internal
from helpdesk.realtime import rooms


class DeskNamespace(Namespace):
    def on_connect(self, auth: object = None) -> None:
        user = current_user
        if not user.is_authenticated:
            raise ConnectionRefusedError("login required")
        if not can_see_internal(user):
            raise ConnectionRefusedError("the desk is for staff")
        joined = [rooms.user_room(user.id)]
        if user.organisation_id is not None:
            joined.append(rooms.org_room(user.organisation_id))
        if user.is_staff:
            joined.append(rooms.STAFF_ROOM)
        for room in joined:
            join_room(room)
        emit(rooms.READY, {"user": user.login, "role": user.role.value, "rooms": joined})

    def on_disconnect(self, reason: object = None) -> None:
        """Rooms are left automatically; nothing else to release yet."""
