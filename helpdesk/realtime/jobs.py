"""RQ jobs (ids in, nothing out): run in a worker, they reach browsers through the Redis
message queue like any emit from outside a web process."""

from __future__ import annotations

from sqlalchemy.orm import Session

from helpdesk.extensions import db
from helpdesk.realtime.fanout import fan_out
from helpdesk.tickets.changes import TicketChange
from helpdesk.tickets.models import Ticket


def announce_ticket(ticket_id: int, kind: str = "announced") -> int | None:
    """Send a ticket's current summary to its rooms again (after a Redis restart, or to check
    the path end to end). Returns the version sent, or None for an unknown ticket."""
    with Session(db.engine) as session:
        ticket = session.get(Ticket, ticket_id)
        if ticket is None:
            return None
        change = TicketChange.of(ticket, kind)
        fan_out(session, change)
        return ticket.version
