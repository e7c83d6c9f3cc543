"""Zammad-compatible generic CTI events: parsing and validation (pure).

A PBX or bridge posts `event` = newCall | answer | hangup with `from`, `to`, `direction`,
`callId`, `user[]` (one or several), `queue`, and on hangup `cause` and `answeringNumber`,
as a form or as JSON. A malformed event is an InvalidInput naming the field.

Consult transfer, in the same style (our extension; Zammad has none): `consultStart` with
`callId`, `transferTo` (the colleague's extension, login or name) and an optional `reason`: the
first agent keeps the call and talks to the colleague, who turns busy and gets the screen pop;
`consultComplete` (the call and its ticket move to the colleague) or `consultCancel` (nothing
moves) with `callId`. README "Telephony" lists every event and field.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from helpdesk.errors import InvalidInput

EVENTS = ("newCall", "answer", "hangup", "consultStart", "consultComplete", "consultCancel")
CONSULT_EVENTS = ("consultStart", "consultComplete", "consultCancel")
REASON_LIMIT = 500
DIRECTIONS = ("in", "out")
# Zammad's own cause names; any other text is taken as it comes (see causes.py).
CAUSES = (
    "normalClearing",
    "busy",
    "cancel",
    "noAnswer",
    "congestion",
    "notFound",
    "forwarded",
)
CALL_ID_LIMIT = 250  # as Zammad documents
NUMBER_LIMIT = 64
CAUSE_LIMIT = 64
# A number is dialled digits with the usual decoration; the longest real one (an international
# number behind a carrier prefix) is well under this many digits.
NUMBER_DIGITS = 24
NUMBER = re.compile(r"^\+?[0-9*#][0-9*# ().-]*$")
# What PBXs send for a caller who withholds the number.
ANONYMOUS = frozenset({"anonymous", "unknown", "restricted", "private", "unavailable"})
NAME_LIMIT = 120
MAX_USERS = 50


@dataclass(frozen=True)
class CtiEvent:
    event: str
    call_id: str
    direction: str
    from_number: str
    to_number: str
    users: tuple[str, ...] = ()
    queue: str | None = None
    cause: str | None = None
    answering_number: str | None = None
    transfer_to: str | None = None  # consultStart: the colleague consulted
    reason: str | None = None  # consultStart: why, as the colleague's pop shows it


class Form:
    """Form fields or a JSON object, read alike: first value, or every value for lists."""

    def __init__(self, data: Mapping[str, Any], lists: Mapping[str, list[str]] | None = None):
        self.data, self.lists = data, lists or {}

    def first(self, name: str) -> Any:
        return self.data.get(name)

    def many(self, *names: str) -> list[Any]:
        values: list[Any] = []
        for name in names:
            if name in self.lists:
                values.extend(self.lists[name])
            elif name in self.data:
                value = self.data[name]
                values.extend(value if isinstance(value, list) else [value])
        return values


def _text(form: Form, name: str, limit: int, required: bool = True) -> str | None:
    value = form.first(name)
    if value is None or value == "":
        if required:
            raise InvalidInput(f"{name} is required", field=name)
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise InvalidInput(f"{name} must be a string", field=name)
    value = value.strip()
    if len(value) > limit:
        raise InvalidInput(f"{name} is {len(value)} characters; at most {limit}", field=name)
    if any(ord(ch) < 32 for ch in value):
        raise InvalidInput(f"{name} contains control characters", field=name)
    return value


def _choice(form: Form, name: str, allowed: tuple[str, ...], required: bool) -> str | None:
    value = _text(form, name, 32, required)
    if value is not None and value not in allowed:
        raise InvalidInput(f"{name} must be one of {', '.join(allowed)}, not {value!r}", field=name)
    return value


def _number(form: Form, name: str, required: bool) -> str:
    """A phone number or extension: digits, `+`, `*`, `#` and separators; or a withheld one."""
    value = _text(form, name, NUMBER_LIMIT, required) or ""
    if not value or value.lower() in ANONYMOUS:
        return value
    if not NUMBER.match(value):
        raise InvalidInput(
            f"{name} must be a phone number or an extension, not {value!r}", field=name
        )
    digits = sum(ch.isdigit() for ch in value)
    if digits > NUMBER_DIGITS:
        raise InvalidInput(f"{name} has {digits} digits; at most {NUMBER_DIGITS}", field=name)
    return value


def parse(form: Form) -> CtiEvent:
    event = _choice(form, "event", EVENTS, required=True)
    call_id = _text(form, "callId", CALL_ID_LIMIT)
    direction = _choice(form, "direction", DIRECTIONS, required=event == "newCall") or "in"
    from_number = _number(form, "from", required=event == "newCall")
    to_number = _number(form, "to", required=event == "newCall")
    users_raw = form.many("user[]", "user")
    if len(users_raw) > MAX_USERS:
        raise InvalidInput(f"at most {MAX_USERS} users", field="user")
    users: list[str] = []
    for value in users_raw:
        if not isinstance(value, str | int) or isinstance(value, bool):
            raise InvalidInput("user must be a name or a list of names", field="user")
        name = str(value).strip()
        if len(name) > NAME_LIMIT:
            raise InvalidInput(f"user is longer than {NAME_LIMIT} characters", field="user")
        if name:
            users.append(name)
    # Free text, stored raw: every PBX names causes its own way (causes.py maps them).
    cause = _text(form, "cause", CAUSE_LIMIT, required=False) if event == "hangup" else None
    return CtiEvent(
        event=str(event),
        call_id=str(call_id),
        direction=direction,
        from_number=from_number,
        to_number=to_number,
        users=tuple(users),
        queue=_text(form, "queue", NUMBER_LIMIT, required=False),
        cause=cause,
        answering_number=_text(form, "answeringNumber", NAME_LIMIT, required=False),
        transfer_to=_text(form, "transferTo", NAME_LIMIT, required=event == "consultStart"),
        reason=_text(form, "reason", REASON_LIMIT, required=False),
    )


def reject(reason: str = "busy") -> dict[str, str]:
    return {"action": "reject", "reason": reason}


def dial(caller_id: str, number: str) -> dict[str, str]:
    """Outbound caller-id rewriting, as Zammad answers it."""
    return {"action": "dial", "caller_id": caller_id, "number": number}
