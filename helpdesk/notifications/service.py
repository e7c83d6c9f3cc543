"""Writing and reading notifications. `add` is called by whoever raises the alert, inside its
transaction (the caller commits): SLA escalation, the tickets service's transfer, a call
transfer. No session listener writes them."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from helpdesk import clock
from helpdesk.notifications.models import Notification
from helpdesk.tickets.models import Ticket

PAGE = 100  # the notifications page shows this many, newest first


def add(
    session: Session,
    user_ids: Iterable[int],
    kind: str,
    ticket: Ticket | None = None,
    **detail: Any,
) -> None:
    """One notification per person (each named once); nothing for an empty list."""
    facts = dict(detail)
    if ticket is not None:
        facts.setdefault("number", ticket.number)
        facts.setdefault("subject", ticket.subject)
    for user_id in dict.fromkeys(user_ids):
        session.add(
            Notification(
                user_id=user_id,
                kind=kind,
                ticket_id=ticket.id if ticket is not None else None,
                detail=facts,
                created_at=clock.now(),
            )
        )


def unread_count(session: Session, user_id: int) -> int:
    return int(
        session.scalar(
            select(func.count())
            .select_from(Notification)
            .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        )
        or 0
    )


def recent(session: Session, user_id: int) -> list[Notification]:
    return list(
        session.scalars(
            select(Notification)
            .where(Notification.user_id == user_id)
            .order_by(Notification.id.desc())
            .limit(PAGE)
        )
    )


def mark_ticket_read(session: Session, user_id: int, ticket_id: int) -> int:
    """Opening the ticket an alert is about reads it: the header's count went down only by
    "mark all read". Looked up first, so a ticket page with no unread alert writes nothing
    (no write lock for a read)."""
    mine = (
        Notification.user_id == user_id,
        Notification.ticket_id == ticket_id,
        Notification.read_at.is_(None),
    )
    if session.scalars(select(Notification.id).where(*mine).limit(1)).first() is None:
        return 0
    result = session.execute(update(Notification).where(*mine).values(read_at=clock.now()))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def mark_all_read(session: Session, user_id: int) -> int:
    result = session.execute(
        update(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        .values(read_at=clock.now())
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
