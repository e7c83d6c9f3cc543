"""What the after-commit effects of a ticket change need to know (written to the outbox)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class TicketChange:
    ticket_id: int
    number: str
    version: int
    kind: str
    organisation_id: int | None
    assignee_id: int | None
    enterprise_id: int | None

    @classmethod
    def of(cls, ticket: Any, kind: str) -> TicketChange:
        """The change `kind` of a ticket as it stands now (a `Ticket` row)."""
        return cls(
            ticket.id,
            ticket.number,
            ticket.version,
            kind,
            ticket.assigned_org_id,
            ticket.assignee_id,
            ticket.enterprise_id,
        )


#: changes that take a ticket away from an organisation or a person: whoever had it must hear
MOVES = frozenset({"transferred", "declined"})


def worth_announcing(changes: list[TicketChange]) -> list[TicketChange]:
    """A batch of changes as consoles need them: each ticket's last change (a new ticket's
    "created" and "assigned" become one announcement), and every move before it."""
    last = {change.ticket_id: change for change in changes}
    return [c for c in changes if c is last[c.ticket_id] or c.kind in MOVES]
