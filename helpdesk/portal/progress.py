"""Where the enterprise's ticket stands, at the top of its portal page: who handles it, what
is asked of the enterprise while the ticket waits on it, when it is due, and how it was
resolved. Read from the enterprise's own timeline, so nothing internal can slip in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from helpdesk.sla.models import TicketSla
from helpdesk.tickets.models import OPEN_STATUSES, Status, Ticket
from helpdesk.web.timeline import Item


@dataclass
class Progress:
    handler: str | None = None  # the organisation that handles it
    asked: str | None = None  # the pend reason, while the ticket waits on the enterprise
    paused: bool = False  # the time limit stands still until the enterprise answers
    due: datetime | None = None  # when it should be resolved
    resolution: str | None = None  # the resolution summary, once resolved


def _last(items: list[Item], kinds: tuple[str, ...], key: str) -> str | None:
    """`key` of the latest event of one of `kinds`."""
    for item in reversed(items):
        if item.event.kind in kinds:
            return item.details.get(key)
    return None


def progress_of(session: Session, ticket: Ticket, items: list[Item]) -> Progress:
    progress = Progress()
    if ticket.status in OPEN_STATUSES:
        progress.handler = _last(items, ("assigned", "transferred"), "organisation")
    if ticket.status is Status.PENDING:
        progress.asked = _last(items, ("pended",), "reason")
    if ticket.status in (Status.RESOLVED, Status.CLOSED):
        progress.resolution = _last(items, ("resolved",), "summary")
    sla = session.get(TicketSla, ticket.id)
    if sla is not None and ticket.status in OPEN_STATUSES and not sla.resolved:
        progress.paused = sla.paused_at is not None
        progress.due = None if progress.paused else sla.resolution_due
    return progress
