"""What a ticket event carries: the ticket as a console row shows it, built once per change
and sent to every room that may see it. No phone numbers (those are masked per reader and
fetched with the ticket); `version` lets a client drop an event older than what it has."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from helpdesk import clock
from helpdesk.auth.models import User
from helpdesk.directory.models import Enterprise, Organisation
from helpdesk.sla.models import TicketSla
from helpdesk.tickets.models import Ticket

# A target due within this long counts as at risk on the wallboard.
AT_RISK_WITHIN = timedelta(minutes=30)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def sla_state(sla: TicketSla | None, now: datetime | None = None) -> dict[str, Any] | None:
    """The nearest unmet due time and whether it is at risk or breached (from ticket_sla)."""
    if sla is None:
        return None
    now = now or clock.now()
    due: datetime | None = None
    target = None
    if not sla.closed and not sla.resolved:
        candidates = [("resolution", sla.resolution_due), ("next_update", sla.next_update_due)]
        if not sla.responded:
            candidates.insert(0, ("first_response", sla.first_response_due))
        for name, when in candidates:
            if when is not None and (due is None or when < due):
                target, due = name, when
    paused = sla.paused_at is not None
    breached = bool(sla.overdue) or (due is not None and due <= now and not paused)
    at_risk = not breached and due is not None and not paused and due - now <= AT_RISK_WITHIN
    return {
        "policy": sla.policy,
        "target": target,
        "due": _iso(due),
        "paused": paused,
        "at_risk": at_risk,
        "breached": breached,
    }


def ticket_summary(session: Session, ticket: Ticket, now: datetime | None = None) -> dict[str, Any]:
    org = session.get(Organisation, ticket.assigned_org_id) if ticket.assigned_org_id else None
    person = session.get(User, ticket.assignee_id) if ticket.assignee_id else None
    enterprise = session.get(Enterprise, ticket.enterprise_id) if ticket.enterprise_id else None
    return {
        "id": ticket.id,
        "number": ticket.number,
        "version": ticket.version,
        "status": ticket.status.value,
        "is_open": ticket.is_open,
        "priority": ticket.priority.value,
        "type": ticket.type.value,
        "channel": ticket.channel.value,
        "subject": ticket.subject,
        "category": ticket.category_code,
        "district": ticket.district_code,
        "organisation": {"id": org.id, "name": org.name} if org else None,
        "assignee": {"id": person.id, "name": person.name} if person else None,
        "enterprise": enterprise.name if enterprise else None,
        "created_at": _iso(ticket.created_at),
        "updated_at": _iso(ticket.updated_at),
        "sla": sla_state(session.get(TicketSla, ticket.id), now),
    }
