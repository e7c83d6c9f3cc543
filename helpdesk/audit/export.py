"""A ticket's traceability record: every step with who and when, and whether its seal holds."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from helpdesk.audit import chain
from helpdesk.audit.checkpoints import AuditFiles
from helpdesk.audit.models import AuditRecord
from helpdesk.audit.seal import event_rows
from helpdesk.auth.models import User
from helpdesk.tickets.models import Ticket, TicketEvent


def trace(session: Session, ticket: Ticket, files: AuditFiles) -> dict[str, Any]:
    digest = chain.pii_digester(files.key)
    events = session.scalars(
        select(TicketEvent).where(TicketEvent.ticket_id == ticket.id).order_by(TicketEvent.id)
    ).all()
    sealed = {
        r.event_id: r
        for r in session.scalars(select(AuditRecord).where(AuditRecord.ticket_id == ticket.id))
    }
    actors = {
        u.id: u
        for u in session.scalars(
            select(User).where(User.id.in_({e.actor_id for e in events if e.actor_id}))
        )
    }
    steps = []
    for ev in events:
        record = sealed.get(ev.id)
        row = chain.EventRow(
            ev.id, ev.ticket_id, ev.kind, ev.actor_id, ev.at, ev.from_status, ev.to_status,
            ev.data or {}, ev.internal, ev.state,
        )  # fmt: skip
        if record is None:
            seal_state = "not yet sealed"
        elif chain.link(record.prev_hash, record.record) != record.hash:
            seal_state = "record altered"
        elif chain.record_of(row, digest) != record.record:
            seal_state = "event altered"
        else:
            seal_state = "sealed"
        actor = actors.get(ev.actor_id) if ev.actor_id else None
        steps.append(
            {
                "event_id": ev.id,
                "seq": record.seq if record else None,
                "hash": record.hash if record else None,
                "seal": seal_state,
                "at": ev.at.isoformat(),
                "kind": ev.kind,
                "actor": {"id": actor.id, "name": actor.name, "role": actor.role.value}
                if actor
                else None,
                "from_status": ev.from_status,
                "to_status": ev.to_status,
                "internal": ev.internal,
                "data": ev.data or {},
            }
        )
    return {
        "ticket": ticket.number,
        "subject": ticket.subject,
        "status": ticket.status.value,
        "created_at": ticket.created_at.isoformat(),
        "steps": steps,
        "all_sealed_intact": all(s["seal"] in ("sealed", "not yet sealed") for s in steps),
    }


__all__ = ["event_rows", "trace"]
