"""What each Socket.IO event carries, as pydantic models (the chat's `/chat`, the staff `/desk`).

A payload that is not an object counts as `{}`; a field of the wrong type counts as absent, so
the check that follows (the chat service, the desk's room rules) refuses it with the same reason
and field it gives a missing one. Reading a payload never raises: a socket handler answers
`{"ok": false, ...}` rather than dropping the connection. No Flask here.
"""

from __future__ import annotations

from typing import Annotated, Any, Self

from pydantic import BaseModel, BeforeValidator, ConfigDict


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _whole(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _seen(value: Any) -> int:
    """`after`: the last message seq the client holds; anything else means none."""
    number = _whole(value)
    return number if number is not None and number >= 0 else 0


Text = Annotated[str | None, BeforeValidator(_text)]
Whole = Annotated[int | None, BeforeValidator(_whole)]
Seen = Annotated[int, BeforeValidator(_seen)]
Words = Annotated[str, BeforeValidator(lambda v: "" if v is None else str(v))]
Key = Annotated[str | None, BeforeValidator(lambda v: None if v is None else str(v))]
# An id that is given but not a whole number is id 0, which no row has ("no such ...").
Ref = Annotated[int | None, BeforeValidator(lambda v: None if v is None else (_whole(v) or 0))]


class Payload(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    @classmethod
    def read(cls, data: object) -> Self:
        return cls.model_validate(data if isinstance(data, dict) else {})


# -- /chat --------------------------------------------------------------------------------------
class VisitorIn(Payload):
    """start, leave_message: the widget's form (the service checks each field)."""

    name: Text = None
    phone: Text = None
    category: Text = None
    question: Text = None


class ResumeIn(Payload):
    token: Any = None  # the service finds the conversation or answers "no such conversation"
    after: Seen = 0


class SideIn(Payload):
    """Events either side sends; an agent names the conversation, a visitor's is bound."""

    conversation_id: Any = None  # service.for_agent checks it


class MessageIn(SideIn):
    body: Text = None
    client_id: Text = None
    attachment: Key = None  # a file key from the upload


class ReadIn(SideIn):
    seq: Any = None  # service.mark_read says what is wrong with it


class EndIn(SideIn):
    file: Annotated[bool, BeforeValidator(lambda v: v is True)] = False


class RateIn(Payload):
    score: Any = None  # service.rate checks range and type
    comment: Any = None


class OpenIn(SideIn):
    after: Annotated[int, BeforeValidator(lambda v: _whole(v) or 0)] = 0


class TransferIn(SideIn):
    to_agent_id: Ref = None
    to_organisation_id: Whole = None
    note: Text = None


# -- /desk --------------------------------------------------------------------------------------
class RoomIn(Payload):
    room: Words = ""


class PresenceIn(Payload):
    state: Words = ""
