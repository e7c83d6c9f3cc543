"""Ending sockets whose rights ended: logout, a role change, a suspended account or
organisation, a move to another organisation. Their sockets are disconnected in whichever web
process holds them (the message queue carries the disconnect), well within a second; the
console then reloads and is authorised again from scratch, or sent to the login page.

Each browser login gets a random key in its session, so logging out in one browser ends that
browser's sockets and not the person's other sessions.
"""

from __future__ import annotations

import logging
import secrets
from typing import Any

from flask import Flask, session
from flask_login import user_logged_in, user_logged_out
from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session

from helpdesk.auth.models import User
from helpdesk.directory.models import Organisation, OrgStatus
from helpdesk.realtime import emit, presence, rooms
from helpdesk.realtime.store import current_store

log = logging.getLogger(__name__)

LOGIN_KEY = "rt_login"  # session key: this browser login's random id
ANY_LOGIN = "*"
WATCHED = ("role", "active", "organisation_id", "session_generation")
_PENDING = "helpdesk.realtime.revoke"


def login_key() -> str:
    return str(session.get(LOGIN_KEY) or ANY_LOGIN)


def revoke_user(user_id: int, reason: str, login: str | None = None) -> int:
    """Disconnect the user's sockets, on /desk and the chat's agent side (only one login's
    when `login` is given)."""
    found = current_store().sockets(user_id)
    ended = 0
    for sid, (namespace, key) in found.items():
        if login not in (None, ANY_LOGIN) and key not in (login, ANY_LOGIN):
            continue
        emit.emit(rooms.REVOKED, {"reason": reason}, sid, namespace)
        emit.disconnect(sid, namespace)
        current_store().remove_socket(user_id, sid)
        ended += 1
    if ended:
        log.info("revoked %d socket(s) of user %s: %s", ended, user_id, reason)
    return ended


def _on_login(sender: Flask, user: User, **extra: Any) -> None:
    session[LOGIN_KEY] = secrets.token_urlsafe(12)


def _on_logout(sender: Flask, user: User, **extra: Any) -> None:
    key = session.pop(LOGIN_KEY, None)
    if user is None or not getattr(user, "id", None):
        return
    revoke_user(user.id, "logged_out", key)
    presence.on_logged_out(user.id)  # offline, unless another browser still has a console


def _changed(obj: object, names: tuple[str, ...]) -> bool:
    state = inspect(obj)
    return any(state.attrs[name].history.has_changes() for name in names)


@event.listens_for(Session, "after_flush")
def _collect(session: Session, flush_context: object) -> None:
    """Remember whose rights changed in this transaction; revoke only after it commits."""
    pending: set[int] = session.info.setdefault(_PENDING, set())
    for obj in session.dirty:
        if isinstance(obj, User) and _changed(obj, WATCHED):
            pending.add(obj.id)
        elif (
            isinstance(obj, Organisation)
            and _changed(obj, ("status",))
            and obj.status is OrgStatus.SUSPENDED
        ):
            pending.update(session.scalars(select(User.id).where(User.organisation_id == obj.id)))


@event.listens_for(Session, "after_commit")
def _revoke_after_commit(session: Session) -> None:
    for user_id in session.info.pop(_PENDING, set()):
        try:
            revoke_user(user_id, "rights_changed")
        except Exception:
            log.exception("revoking user %s failed", user_id)


@event.listens_for(Session, "after_rollback")
def _drop(session: Session) -> None:
    session.info.pop(_PENDING, None)


def init_signals() -> None:
    user_logged_in.connect(_on_login, weak=False)
    user_logged_out.connect(_on_logout, weak=False)
