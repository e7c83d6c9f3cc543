"""Reads for pages: the routing decisions recorded on a ticket, with their traces."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from helpdesk.tickets.models import Ticket, TicketEvent


@dataclass(frozen=True)
class RoutingRecord:
    """One decision as stored in an "assigned" event.

    `trace` rows: {rule, priority, outcome (matched | no match | not reached), reason};
    `attempts` rows: {organisation, source (candidate | fallback | centre), outcome}."""

    at: datetime
    rule: str | None
    ruleset: str
    organisation: str | None
    person: str | None
    via: str
    trace: list[dict[str, Any]] = field(default_factory=list)
    attempts: list[dict[str, Any]] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    sla_policy: str | None = None
    priority: str | None = None


def trace_for(ticket: Ticket, session: Session | None = None) -> list[RoutingRecord]:
    """Every routing decision for `ticket`, oldest first (a decline leads to a second one).

    Staff only: the trace names rules and organisations; do not show it to enterprises."""
    if session is None:
        from helpdesk.extensions import db

        session = db.session()
    events = session.scalars(
        select(TicketEvent)
        .where(TicketEvent.ticket_id == ticket.id, TicketEvent.kind == "assigned")
        .order_by(TicketEvent.id)
    )
    records = []
    for event in events:
        data = (event.data or {}).get("routing")
        if not data:
            continue
        records.append(
            RoutingRecord(
                at=event.at,
                rule=data.get("rule"),
                ruleset=data.get("ruleset", ""),
                organisation=data.get("organisation"),
                person=data.get("person"),
                via=data.get("via", ""),
                trace=list(data.get("trace", [])),
                attempts=list(data.get("attempts", [])),
                tags=list(data.get("tags", [])),
                sla_policy=data.get("sla_policy"),
                priority=data.get("priority"),
            )
        )
    return records
