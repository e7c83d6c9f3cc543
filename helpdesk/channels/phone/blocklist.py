"""Blocked caller numbers (issue 13 item 8): add, remove, list, each change in the operations log.

The check on each call is `service._blocked` (cached a few seconds per process); a change here
empties this process's cache at once, the others follow within BLOCKLIST_SECONDS.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from helpdesk import clock
from helpdesk.channels.phone import callers, service
from helpdesk.channels.phone.models import BlockedNumber
from helpdesk.directory.phone_format import masked
from helpdesk.oplog.record import record_change

NOTE_LIMIT = 200


class BlocklistError(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def normalise(raw: str) -> str:
    """The number as calls carry it (E.164), or BlocklistError."""
    e164 = callers.identify_number((raw or "").strip()).e164 if (raw or "").strip() else None
    if e164 is None:
        raise BlocklistError(
            "number", _("Not a phone number. Type it as the caller id shows it, e.g. 13900000000.")
        )
    return e164


def add(session: Session, actor: Any, raw: str, note: str) -> BlockedNumber:
    """Block a number; the caller commits."""
    number = normalise(raw)
    note = (note or "").strip()
    if len(note) > NOTE_LIMIT:
        raise BlocklistError("note", _("At most %(n)d characters.", n=NOTE_LIMIT))
    if session.get(BlockedNumber, number) is not None:
        raise BlocklistError("number", _("This number is already blocked."))
    row = BlockedNumber(number=number, note=note or None, created_at=clock.now())
    session.add(row)
    record_change(
        session, actor, "blocked_number.added", "blocked_number", 0, masked(number), None,
        {"phone": number, "note": note or None},
    )  # fmt: skip
    service.forget_blocklist()
    return row


def remove(session: Session, actor: Any, raw: str) -> bool:
    """Unblock; False when the number was not blocked. The caller commits."""
    row = session.get(BlockedNumber, normalise(raw))
    if row is None:
        return False
    record_change(
        session, actor, "blocked_number.removed", "blocked_number", 0, masked(row.number),
        {"phone": row.number, "note": row.note}, None,
    )  # fmt: skip
    session.delete(row)
    service.forget_blocklist()
    return True


def listing(session: Session) -> list[BlockedNumber]:
    return list(
        session.scalars(select(BlockedNumber).order_by(BlockedNumber.created_at.desc()).limit(1000))
    )
