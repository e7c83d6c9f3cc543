"""Presence: available, busy, after-call work, away, offline, each with since-when.

Kept in the realtime store (Redis across processes): fast, and lost on a Redis restart, which
is acceptable (consoles re-register when they reconnect). The server decides; a console only
says what the person chose (`choose`). What is shown follows from what is known, first match:

    on a call (phone: answered by them, not yet hung up)        busy, reason "call"
    logged out, or never seen                                   offline
    no console or chat socket left                              away, reason "disconnected"
    holding as many chats as allowed                            busy, reason "chat_limit"
    otherwise what they chose; after a call, after-call work    (reason "call_ended")

The channels report through small calls, after their commit: the phone with `call_started` /
`call_ended`, the chat with `chat_load`; the sockets of `/desk` and of the chat's agent side
with `socket_opened` / `socket_closed`. Changes go to the supervisors' room and to the person.
`on_line(namespace)` answers "is someone there to answer a chat" from any web process.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from helpdesk import clock
from helpdesk.realtime import emit, rooms
from helpdesk.realtime.store import Sockets, Store, Value, current_store

log = logging.getLogger(__name__)

AVAILABLE, BUSY, AFTER_CALL, AWAY, OFFLINE = "available", "busy", "after_call", "away", "offline"
STATES = (AVAILABLE, BUSY, AFTER_CALL, AWAY, OFFLINE)
CHOOSABLE = frozenset({AVAILABLE, BUSY, AFTER_CALL, AWAY})  # what a console may send
NOT_THERE = frozenset({AWAY, OFFLINE})
PUBLIC = ("state", "since", "reason", "name", "manual")


def get(user_id: int, store: Store | None = None) -> dict[str, Any]:
    found = (store or current_store()).presence(user_id)
    return found or {"state": OFFLINE, "since": None, "manual": AVAILABLE, "reason": None}


def _derive(value: Value) -> tuple[str, str | None]:
    if value.get("calls"):
        return BUSY, "call"
    absent = value.get("absent")
    if absent == "logged_out":
        return OFFLINE, "logged_out"
    if absent == "never":
        return OFFLINE, None
    if absent == "disconnected":
        return AWAY, "disconnected"
    if value.get("chat_full"):
        return BUSY, "chat_limit"
    return value.get("manual") or AVAILABLE, value.get("manual_reason")


def _change(user_id: int, edit: Any, name: str | None = None) -> dict[str, Any]:
    """Apply `edit(value, sockets)` to the stored value, work out the state, tell whoever
    watches when it changed. Never raises: presence must not undo a committed change."""

    def change(before: Value | None, sockets: Sockets) -> Value:
        value: Value = dict(before) if before else {"absent": "never", "since": None}
        value.setdefault("manual", AVAILABLE)
        value.setdefault("calls", [])
        if name:
            value["name"] = name
        edit(value, sockets)
        value["namespaces"] = sorted({namespace for namespace, _ in sockets.values()})
        if sockets:
            value["absent"] = None
        elif value.get("absent") is None:
            value["absent"] = "disconnected"
        state, reason = _derive(value)
        if before is None or before.get("state") != state:
            value["since"] = clock.now().isoformat()
        value["state"], value["reason"] = state, reason
        return value

    try:
        before, after = current_store().update_presence(user_id, change)
    except Exception:
        log.exception("presence of user %s not updated", user_id)
        return get(user_id)
    if before is None or (before.get("state"), before.get("reason")) != (
        after["state"],
        after["reason"],
    ):
        payload = {"user_id": user_id, **public(after)}
        emit.emit_to_supervisors(rooms.PRESENCE, payload)
        emit.emit_to_user(user_id, rooms.PRESENCE, payload)
    return after


def public(value: Value) -> dict[str, Any]:
    return {key: value.get(key) for key in PUBLIC}


# -- the person -------------------------------------------------------------------------------


def choose(user_id: int, state: str, name: str | None = None) -> dict[str, Any]:
    """What the person picked on their console (shown unless a call, the chat limit or a lost
    connection says otherwise)."""
    if state not in CHOOSABLE:
        raise ValueError(f"unknown presence {state!r}")

    def edit(value: Value, sockets: Sockets) -> None:
        value["manual"], value["manual_reason"] = state, None

    return public(_change(user_id, edit, name))


def socket_opened(
    user_id: int, sid: str, login_key: str, name: str, namespace: str = rooms.DESK
) -> dict[str, Any]:
    """A console (or a chat agent page) connected: registered so a logout can end it, and the
    person is back from away or offline."""
    current_store().add_socket(user_id, sid, login_key, namespace)
    return public(_change(user_id, lambda value, sockets: None, name))


def socket_closed(user_id: int, sid: str) -> dict[str, Any]:
    """One socket gone; with the last one the person is away (offline after a logout)."""
    current_store().remove_socket(user_id, sid)
    return public(_change(user_id, lambda value, sockets: None))


def on_logged_out(user_id: int) -> None:
    def edit(value: Value, sockets: Sockets) -> None:
        if not sockets:
            value["absent"] = "logged_out"

    _change(user_id, edit)


# -- the channels -----------------------------------------------------------------------------


def call_started(user_id: int, call_id: str) -> dict[str, Any]:
    """The person answered a call (CTI answer event, the phone console): busy until it ends."""

    def edit(value: Value, sockets: Sockets) -> None:
        if call_id not in value["calls"]:
            value["calls"] = [*value["calls"], call_id][-5:]

    return public(_change(user_id, edit))


def call_ended(user_id: int, call_id: str) -> dict[str, Any]:
    """Their call ended: after-call work when a console is open to finish it on; someone
    answering on a desk phone without a console goes back to where they were."""

    def edit(value: Value, sockets: Sockets) -> None:
        if call_id not in value["calls"]:
            return
        value["calls"] = [c for c in value["calls"] if c != call_id]
        if not value["calls"] and sockets:
            value["manual"], value["manual_reason"] = AFTER_CALL, "call_ended"

    return public(_change(user_id, edit))


def chat_load(user_id: int, active: int, limit: int) -> dict[str, Any]:
    """How many chats the person holds: at the limit they are busy, below it back again."""
    full = active >= limit

    def edit(value: Value, sockets: Sockets) -> None:
        value["chat_full"] = full

    return public(_change(user_id, edit))


# -- web processes that die ------------------------------------------------------------------


def keep_alive(store: Store | None = None) -> list[int]:
    """Run every PROCESS_TTL / 3 s in each web process: say this process is alive, and reap the
    sockets of processes that are not (killed without closing them): their people become away
    unless they have a socket elsewhere. The people whose presence was worked out again."""
    store = store or current_store()
    touched: list[int] = []
    if not store.heartbeat():  # taken for dead while starved: our sockets are back now
        touched += store.mine()
    for process in store.dead_processes():
        touched += store.forget_process(process)
    for user_id in sorted(set(touched)):
        _change(user_id, lambda value, sockets: None)
    return sorted(set(touched))


def end_wrap_up(limit_seconds: int) -> list[int]:
    """People in after-call work since a call ended more than `limit_seconds` ago are available
    again: on a busy morning an agent who forgets to click would otherwise take no calls or
    chats for the rest of the day. 0: no limit. Runs with `keep_alive`; who went back."""
    if limit_seconds <= 0:
        return []
    cutoff = (clock.now() - timedelta(seconds=limit_seconds)).isoformat()

    def overdue(value: Value) -> bool:
        return (
            value.get("state") == AFTER_CALL
            and value.get("manual_reason") == "call_ended"
            and (value.get("since") or cutoff) < cutoff
        )

    def edit(value: Value, sockets: Sockets) -> None:
        if overdue(value):  # again, atomically: the person may have moved meanwhile
            value["manual"], value["manual_reason"] = AVAILABLE, None

    due = sorted(user_id for user_id, value in everyone().items() if overdue(value))
    for user_id in due:
        _change(user_id, edit)
    return due


# -- reads ------------------------------------------------------------------------------------


def everyone() -> dict[int, dict[str, Any]]:
    return current_store().all_presence()


def on_line(namespace: str) -> list[int]:
    """People with a socket open on `namespace` (the chat's agent side) who are not away or
    offline, from the shared store: the same answer in every web process."""
    return sorted(
        user_id
        for user_id, value in everyone().items()
        if namespace in (value.get("namespaces") or []) and value.get("state") not in NOT_THERE
    )
