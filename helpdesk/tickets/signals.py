"""Announcing ticket changes after commit, never before: listeners see only durable state."""

from __future__ import annotations

from dataclasses import dataclass

from blinker import Namespace
from sqlalchemy import event
from sqlalchemy.orm import Session

signals = Namespace()
#: sent once per changed ticket after its transaction commits, with a TicketChange
ticket_changed = signals.signal("ticket-changed")

_PENDING = "helpdesk.ticket_changes"


@dataclass(frozen=True)
class TicketChange:
    ticket_id: int
    number: str
    version: int
    kind: str
    organisation_id: int | None
    assignee_id: int | None
    enterprise_id: int | None


def announce_after_commit(session: Session, change: TicketChange) -> None:
    session.info.setdefault(_PENDING, []).append(change)


#: changes that take a ticket away from an organisation or a person: whoever had it must hear
MOVES = frozenset({"transferred", "declined"})


def worth_announcing(changes: list[TicketChange]) -> list[TicketChange]:
    """One transaction's changes as listeners need them: each ticket's last change (a new
    ticket's "created" and "assigned" become one announcement), and every move before it."""
    last = {change.ticket_id: change for change in changes}
    return [c for c in changes if c is last[c.ticket_id] or c.kind in MOVES]


@event.listens_for(Session, "after_commit")
def _send(session: Session) -> None:
    changes = session.info.pop(_PENDING, [])
    for change in worth_announcing(changes):
        ticket_changed.send(change)


@event.listens_for(Session, "after_rollback")
def _drop(session: Session) -> None:
    session.info.pop(_PENDING, None)
