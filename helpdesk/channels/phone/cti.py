"""Zammad-compatible generic CTI events: parsing and validation (pure).

A PBX or bridge posts `event` = newCall | answer | hangup with `from`, `to`, `direction`,
`callId`, `user[]` (one or several), `queue`, and on hangup `cause` and `answeringNumber`,
as a form or as JSON, validated by the pydantic model `CtiEventIn`. A malformed event is an
InvalidInput naming the field.

Consult transfer, in the same style (our extension; Zammad has none): `consultStart` with
`callId`, `transferTo` (the colleague's extension, login or name) and an optional `reason`: the
first agent keeps the call and talks to the colleague, who turns busy and gets the screen pop;
`consultComplete` (the call and its ticket move to the colleague) or `consultCancel` (nothing
moves) with `callId`. README "Telephony" lists every event and field.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, ValidationInfo

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


class _Bad(ValueError):
    """A field's own complaint, kept word for word (InvalidInput's message)."""


def _text(value: Any, name: str, limit: int, required: bool = True) -> str | None:
    if value is None or value == "":
        if required:
            raise _Bad(f"{name} is required")
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise _Bad(f"{name} must be a string")
    value = value.strip()
    if len(value) > limit:
        raise _Bad(f"{name} is {len(value)} characters; at most {limit}")
    if any(ord(ch) < 32 for ch in value):
        raise _Bad(f"{name} contains control characters")
    return value


def _choice(value: Any, name: str, allowed: tuple[str, ...], required: bool) -> str | None:
    value = _text(value, name, 32, required)
    if value is not None and value not in allowed:
        raise _Bad(f"{name} must be one of {', '.join(allowed)}, not {value!r}")
    return value


def _number(value: Any, name: str, required: bool) -> str:
    """A phone number or extension: digits, `+`, `*`, `#` and separators; or a withheld one."""
    value = _text(value, name, NUMBER_LIMIT, required) or ""
    if not value or value.lower() in ANONYMOUS:
        return value
    if not NUMBER.match(value):
        raise _Bad(f"{name} must be a phone number or an extension, not {value!r}")
    digits = sum(ch.isdigit() for ch in value)
    if digits > NUMBER_DIGITS:
        raise _Bad(f"{name} has {digits} digits; at most {NUMBER_DIGITS}")
    return value


def _users(values: Any) -> tuple[str, ...]:
    if len(values) > MAX_USERS:
        raise _Bad(f"at most {MAX_USERS} users")
    users: list[str] = []
    for value in values:
        if not isinstance(value, str | int) or isinstance(value, bool):
            raise _Bad("user must be a name or a list of names")
        name = str(value).strip()
        if len(name) > NAME_LIMIT:
            raise _Bad(f"user is longer than {NAME_LIMIT} characters")
        if name:
            users.append(name)
    return tuple(users)


def _field(check: Callable[[Any, str | None], Any]) -> Any:
    """A before-validator that sees the event (validated first) to know what is required."""

    def run(value: Any, info: ValidationInfo) -> Any:
        return check(value, info.data.get("event"))

    return BeforeValidator(run)


class CtiEventIn(BaseModel):
    """One event as posted; fields in the order they are checked (the first bad one is named).
    Aliases are the wire names; `user` holds every `user[]`/`user` value."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    event: Annotated[str, _field(lambda v, _e: _choice(v, "event", EVENTS, required=True))]
    call_id: Annotated[str, _field(lambda v, _e: _text(v, "callId", CALL_ID_LIMIT))] = Field(
        None, alias="callId", validate_default=True
    )
    direction: Annotated[
        str, _field(lambda v, e: _choice(v, "direction", DIRECTIONS, e == "newCall") or "in")
    ] = Field(None, validate_default=True)
    from_number: Annotated[str, _field(lambda v, e: _number(v, "from", e == "newCall"))] = Field(
        None, alias="from", validate_default=True
    )
    to_number: Annotated[str, _field(lambda v, e: _number(v, "to", e == "newCall"))] = Field(
        None, alias="to", validate_default=True
    )
    users: Annotated[tuple[str, ...], _field(lambda v, _e: _users(v))] = Field(
        (), alias="user", validate_default=True
    )
    # Free text, stored raw: every PBX names causes its own way (causes.py maps them).
    cause: Annotated[
        str | None,
        _field(lambda v, e: _text(v, "cause", CAUSE_LIMIT, False) if e == "hangup" else None),
    ] = None
    queue: Annotated[str | None, _field(lambda v, _e: _text(v, "queue", NUMBER_LIMIT, False))] = (
        None
    )
    answering_number: Annotated[
        str | None, _field(lambda v, _e: _text(v, "answeringNumber", NAME_LIMIT, False))
    ] = Field(None, alias="answeringNumber")
    transfer_to: Annotated[
        str | None, _field(lambda v, e: _text(v, "transferTo", NAME_LIMIT, e == "consultStart"))
    ] = Field(None, alias="transferTo", validate_default=True)
    reason: Annotated[str | None, _field(lambda v, _e: _text(v, "reason", REASON_LIMIT, False))] = (
        None
    )


# Which wire field a model field's complaint names (InvalidInput.field).
_WIRE = {"users": "user"}


def parse(form: Form) -> CtiEvent:
    raw = {name: form.first(name) for name in _NAMES}
    raw["user"] = form.many("user[]", "user")
    try:
        model = CtiEventIn.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        name = str(first["loc"][0]) if first["loc"] else "body"
        error = first.get("ctx", {}).get("error")
        message = str(error) if isinstance(error, _Bad) else f"{name}: {first['msg']}"
        raise InvalidInput(message, field=_WIRE.get(name, name)) from None
    return CtiEvent(**model.model_dump())


_NAMES = tuple(
    str(field.alias or name) for name, field in CtiEventIn.model_fields.items() if name != "users"
)


def reject(reason: str = "busy") -> dict[str, str]:
    return {"action": "reject", "reason": reason}


def dial(caller_id: str, number: str) -> dict[str, str]:
    """Outbound caller-id rewriting, as Zammad answers it."""
    return {"action": "dial", "caller_id": caller_id, "number": number}
