"""Server-side authorisation for sockets, with the same permission module as the pages and the
API. Everything refused is logged (logger `helpdesk.realtime.access`) and answered with no data.

Stable helpers for other namespaces (the chat channel's agent side uses them):

    staff_user()            the logged-in staff member behind this socket, or None
    require_staff(what)     the same, raising ConnectionRefusedError (for on_connect)
    may_join(user, room)    whether `user` may be put in `room`
    refuse(user, what, why) log a refusal in the one format
"""

from __future__ import annotations

import logging

from flask import request
from flask_login import current_user
from flask_socketio import ConnectionRefusedError

from helpdesk.auth import permissions
from helpdesk.auth.models import Role, User
from helpdesk.extensions import db
from helpdesk.realtime import rooms
from helpdesk.tickets.models import Ticket

log = logging.getLogger(__name__)

WATCHERS = frozenset({Role.SUPERVISOR, Role.ADMIN})  # the wallboard: every ticket, every agent


def _sid() -> str:
    return str(getattr(request, "sid", "-"))


def refuse(user: User | None, what: str, why: str) -> None:
    who = f"user {user.id} ({user.role.value})" if user is not None else "anonymous"
    log.warning("refused %s for %s on socket %s: %s", what, who, _sid(), why)


def staff_user() -> User | None:
    """The socket's user, re-read from the database on every event (Flask-Login's loader), so a
    suspended account or a changed role counts at once. Enterprise users are not desk staff."""
    if not current_user.is_authenticated:
        return None
    user: User = current_user._get_current_object()
    return user if permissions.can_see_internal(user) else None


def require_staff(what: str = "connect") -> User:
    if not current_user.is_authenticated:
        refuse(None, what, "no valid session")
        raise ConnectionRefusedError("login required")
    user = staff_user()
    if user is None:
        refuse(current_user._get_current_object(), what, "not desk staff")
        raise ConnectionRefusedError("the desk is for staff")
    return user


def is_watcher(user: User) -> bool:
    return user.role in WATCHERS


def may_join(user: User, room: str) -> bool:
    kind, ident = rooms.parse(room)
    if kind == rooms.SUPERVISORS_ROOM:
        return is_watcher(user)
    if kind == rooms.STAFF_ROOM:
        return user.is_staff
    if kind == "user":
        return ident == user.id
    if kind == "org":
        return ident == user.organisation_id or is_watcher(user)
    if kind == "ticket" and ident is not None:
        ticket = db.session.get(Ticket, ident)
        return ticket is not None and permissions.can_view(user, ticket)
    return False


def home_rooms(user: User) -> list[str]:
    """The rooms a socket is put in when it connects."""
    joined = [rooms.user_room(user.id)]
    if user.organisation_id is not None:
        joined.append(rooms.org_room(user.organisation_id))
    if user.is_staff:
        joined.append(rooms.STAFF_ROOM)
    if is_watcher(user):
        joined.append(rooms.SUPERVISORS_ROOM)
    return joined
