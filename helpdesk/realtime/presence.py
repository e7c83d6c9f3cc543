"""Presence: available, busy, after-call work, away, offline, each with since-when.

Kept in the realtime store (Redis across processes): fast, and lost on a Redis restart, which
is acceptable (consoles re-announce themselves when they reconnect). `manual` is the state the
person chose; automatic states (away when the last socket drops, busy on a call or at the chat
limit) fall back to it. Changes go to the supervisors' room and to the person's own sockets.

`set_state(user_id, state, reason=...)` is the stable entry point for other channels (the chat
channel calls it with `reason="chat_limit"`; the console with `reason="call"` on a screen pop).
"""

from __future__ import annotations

from typing import Any

from helpdesk import clock
from helpdesk.realtime import emit, rooms
from helpdesk.realtime.store import Store, current_store

AVAILABLE, BUSY, AFTER_CALL, AWAY, OFFLINE = "available", "busy", "after_call", "away", "offline"
STATES = (AVAILABLE, BUSY, AFTER_CALL, AWAY, OFFLINE)
CHOOSABLE = frozenset({AVAILABLE, BUSY, AFTER_CALL, AWAY})  # what a console may send


def get(user_id: int, store: Store | None = None) -> dict[str, Any]:
    found = (store or current_store()).presence(user_id)
    return found or {"state": OFFLINE, "since": None, "manual": AVAILABLE, "reason": None}


def set_state(
    user_id: int,
    state: str,
    *,
    reason: str | None = None,
    manual: bool = False,
    name: str | None = None,
    store: Store | None = None,
) -> dict[str, Any]:
    if state not in STATES:
        raise ValueError(f"unknown presence {state!r}")
    store = store or current_store()
    before = get(user_id, store)
    value = {
        "state": state,
        "since": before["since"] if before["state"] == state else clock.now().isoformat(),
        "manual": state if manual else before.get("manual") or AVAILABLE,
        "reason": reason,
        "name": name or before.get("name"),
    }
    store.set_presence(user_id, value)
    if before["state"] != state or before.get("reason") != reason:
        payload = {"user_id": user_id, **value}
        emit.emit_to_supervisors(rooms.PRESENCE, payload)
        emit.emit_to_user(user_id, rooms.PRESENCE, payload)
    return value


def on_connected(user_id: int, name: str) -> dict[str, Any]:
    """A console came (back): from away or offline to the state the person last chose."""
    current = get(user_id)
    if current["state"] in (AWAY, OFFLINE) and current.get("reason") in (
        None,
        "disconnected",
        "logged_out",
    ):
        return set_state(user_id, current.get("manual") or AVAILABLE, name=name)
    if current.get("name") != name:
        return set_state(user_id, current["state"], reason=current.get("reason"), name=name)
    return current


def on_last_socket_gone(user_id: int) -> None:
    if get(user_id)["state"] != OFFLINE:  # a logout already said offline
        set_state(user_id, AWAY, reason="disconnected")


def on_logged_out(user_id: int) -> None:
    set_state(user_id, OFFLINE, reason="logged_out")


def everyone() -> dict[int, dict[str, Any]]:
    return current_store().all_presence()
