"""Ticket changes to the rooms that may see them, after commit (the outbox dispatcher's
first effect, `helpdesk.outbox.effects`).

Per change: the ticket's summary with its version goes to the supervisors, the assigned
organisation, the assignee and the ticket's own room, in one emit (a socket in several of
those rooms gets it once). When a change takes the ticket away from an organisation or a person
(transfer, decline), they get `ticket.gone` (no content) if they may no longer see it, and the
ticket room is emptied so that only those who still may see it join again: unassignment stops
a provider's events at once. Runs wherever the change committed: a web process (its own
Socket.IO server) or an RQ worker (the Redis message queue).
"""

from __future__ import annotations

import logging
import time
from typing import Any

from flask import has_app_context
from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from helpdesk.auth.models import Role, User
from helpdesk.realtime import emit, rooms
from helpdesk.realtime.summary import ticket_summaries, ticket_summary
from helpdesk.tickets.changes import MOVES, TicketChange
from helpdesk.tickets.models import TicketEvent

log = logging.getLogger(__name__)


def fan_out_batch(session: Session, changes: list[TicketChange]) -> None:
    """Announce committed changes: the tickets' summaries in one statement, then an emit per
    change. Never raises (the changes are committed whatever happens here)."""
    if not changes or not has_app_context() or emit.sender() is None:
        return
    ids = list(dict.fromkeys(change.ticket_id for change in changes))
    try:
        summaries = {summary["id"]: summary for summary in ticket_summaries(session, ids)}
    except Exception:
        log.exception("fan-out of %d change(s) failed", len(changes))
        return
    for change in changes:
        try:
            fan_out(session, change, summaries.get(change.ticket_id))
        except Exception:
            log.exception("fan-out of %s v%s failed", change.number, change.version)


def _previous(session: Session, change: TicketChange) -> tuple[int | None, int | None]:
    """Who had the ticket before this move: (organisation, assignee) from the move's event."""
    data = session.scalars(
        select(TicketEvent.data)
        .where(TicketEvent.ticket_id == change.ticket_id, TicketEvent.kind == change.kind)
        .order_by(TicketEvent.id.desc())
        .limit(1)
    ).first()
    if not data:
        return None, None
    if change.kind == "declined":
        return data.get("organisation_id"), None
    before = data.get("from") or {}
    return before.get("organisation_id"), before.get("assignee_id")


def _has_provider_staff(session: Session, organisation_id: int) -> bool:
    return bool(
        session.scalar(
            select(
                exists().where(User.organisation_id == organisation_id, User.role == Role.PROVIDER)
            )
        )
    )


def fan_out(
    session: Session, change: TicketChange, summary: dict[str, Any] | None = None
) -> dict[str, Any] | None:
    summary = summary or ticket_summary(session, change.ticket_id)
    if summary is None:
        return None
    org_id = summary["organisation"]["id"] if summary["organisation"] else None
    person_id = summary["assignee"]["id"] if summary["assignee"] else None
    gone = {"id": change.ticket_id, "number": change.number, "version": change.version}
    payload: dict[str, Any] = {**summary, "kind": change.kind, "sent_at": time.time()}
    targets = [rooms.SUPERVISORS_ROOM, rooms.ticket_room(change.ticket_id)]
    if org_id is not None:
        targets.append(rooms.org_room(org_id))
    if person_id is not None:
        targets.append(rooms.user_room(person_id))
    if change.kind in MOVES:
        old_org, old_person = _previous(session, change)
        if old_org is not None and old_org != org_id:
            if _has_provider_staff(session, old_org):
                emit.emit(rooms.TICKET_GONE, gone, rooms.org_room(old_org))
                emit.close_room(rooms.ticket_room(change.ticket_id))
                payload["rejoin"] = True
            else:
                targets.append(rooms.org_room(old_org))  # centre staff may still see it
        if old_person is not None and old_person != person_id:
            person = session.get(User, old_person)
            if person is not None and person.is_staff:
                targets.append(rooms.user_room(old_person))
            else:
                emit.emit(rooms.TICKET_GONE, gone, rooms.user_room(old_person))
    target = emit.sender()
    if target is not None:
        target.emit(rooms.TICKET, payload, to=targets, namespace=rooms.DESK)
    return payload
