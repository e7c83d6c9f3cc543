"""Writing to the outbox: called by the tickets service for every change, in its transaction."""

from __future__ import annotations

from typing import cast

from sqlalchemy import Table, event, insert
from sqlalchemy.orm import Session

from helpdesk import direct_sql
from helpdesk.db import savepoint_released
from helpdesk.outbox.models import OutboxEntry
from helpdesk.tickets.changes import TicketChange

_WROTE = "helpdesk.outbox.wrote"


# A Core insert on the session's connection: nothing reads the entry back in the transaction,
# so the ORM's unit of work (an object, its identity, a flush) would buy nothing. Built once.
_INSERT = insert(cast(Table, OutboxEntry.__table__))


def add(session: Session, change: TicketChange) -> None:
    """Queue the change's effects; they are done after the transaction commits, once."""
    add_many(session, [change])


def add_many(session: Session, changes: list[TicketChange]) -> None:
    """Queue several changes' effects in one statement (a creation's "created" and
    "assigned", written together at its end by helpdesk.tickets.service)."""
    if not changes:
        return
    rows = [
        {
            "ticket_id": change.ticket_id,
            "number": change.number,
            "version": change.version,
            "kind": change.kind,
            "organisation_id": change.organisation_id,
            "assignee_id": change.assignee_id,
            "enterprise_id": change.enterprise_id,
        }
        for change in changes
    ]
    direct_sql.execute(session.connection(), _INSERT, rows if len(rows) > 1 else rows[0])
    session.info[_WROTE] = True


# The one session hook of the pipeline, and the simplest correct tool for its job: it carries
# no business effect, it only wakes this process's dispatcher when a commit wrote entries (a
# rolled-back change wrote none). Whatever it fails to wake, the dispatcher's poll finds.
@event.listens_for(Session, "after_commit")
def _wake_dispatcher(session: Session) -> None:
    # Only the outermost commit wakes it: on a released SAVEPOINT the entries are not committed
    # and, on SQLite, the dispatcher's connection waited 10 s for this transaction's write lock.
    if savepoint_released(session):
        return
    if session.info.pop(_WROTE, False):
        from helpdesk.outbox import dispatcher

        dispatcher.wake()


@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop(_WROTE, None)
