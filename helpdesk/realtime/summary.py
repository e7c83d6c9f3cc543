"""What a ticket event carries: the ticket as a console row shows it, built once per change
and sent to every room that may see it. No phone numbers (those are masked per reader and
fetched with the ticket); `version` lets a client drop an event older than what it has."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from helpdesk import clock
from helpdesk.auth.models import User
from helpdesk.db import OneOf
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
    open_ = not sla.closed and not sla.resolved
    accept_by = sla.first_response_due if open_ and not sla.responded else None
    resolve_by = sla.resolution_due if open_ else None
    return {
        "policy": sla.policy,
        "target": target,
        "due": _iso(due),
        "paused": paused,
        "at_risk": at_risk,
        "breached": breached,
        # The provider desk's two deadlines, and what is left of each in business minutes on
        # the ticket's own calendar (negative once passed): "受理 还剩 2 工时".
        "accept_by": _iso(accept_by),
        "resolve_by": _iso(resolve_by),
        "accept_left": _business_minutes(sla.calendar, now, accept_by),
        "resolve_left": _business_minutes(sla.calendar, now, resolve_by),
    }


def _business_minutes(calendar: str, now: datetime, due: datetime | None) -> int | None:
    if due is None:
        return None
    from helpdesk.sla.service import calendar_named

    hours = calendar_named(calendar)
    if due >= now:
        return int(hours.between(now, due).total_seconds() // 60)
    # A deadline passed outside business hours (Friday 17:30, read on Sunday) has no business
    # minute behind it yet; 0 read "还剩 0分钟" on the desk. Passed is overdue: at least -1.
    return -max(1, int(hours.between(due, now).total_seconds() // 60))


# A ticket with the names a row shows and its SLA state, in one statement: the fan-out of every
# change and the console's lists (up to 200 rows) used to read each name and SLA row apart.
_WITH_NAMES = (
    select(Ticket, Organisation.name, User.name, Enterprise.name, TicketSla)
    .outerjoin(Organisation, Organisation.id == Ticket.assigned_org_id)
    .outerjoin(User, User.id == Ticket.assignee_id)
    .outerjoin(Enterprise, Enterprise.id == Ticket.enterprise_id)
    .outerjoin(TicketSla, TicketSla.ticket_id == Ticket.id)
    .where(OneOf(Ticket.id, "ids"))  # on PostgreSQL one statement for any number of ids
)


def _summary(
    ticket: Ticket,
    org_name: str | None,
    person_name: str | None,
    enterprise_name: str | None,
    sla: TicketSla | None,
    now: datetime,
) -> dict[str, Any]:
    org_id, person_id = ticket.assigned_org_id, ticket.assignee_id
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
        "organisation": {"id": org_id, "name": org_name} if org_id else None,
        "assignee": {"id": person_id, "name": person_name} if person_id else None,
        "enterprise": enterprise_name,
        "created_at": _iso(ticket.created_at),
        "updated_at": _iso(ticket.updated_at),
        "sla": sla_state(sla, now),
    }


def ticket_summaries(
    session: Session, ticket_ids: Sequence[int], now: datetime | None = None
) -> list[dict[str, Any]]:
    """The tickets' summaries in the order given (ids that do not exist are left out)."""
    if not ticket_ids:
        return []
    now = now or clock.now()
    rows = session.execute(_WITH_NAMES, {"ids": list(ticket_ids)})
    found = {row[0].id: _summary(*row, now) for row in rows}
    return [found[i] for i in ticket_ids if i in found]


def ticket_summary(
    session: Session, ticket_id: int, now: datetime | None = None
) -> dict[str, Any] | None:
    found = ticket_summaries(session, [ticket_id], now)
    return found[0] if found else None
