"""Open tickets per organisation as counters (issue 17, item 7): routing asks for a candidate's
load on every new ticket, and counting its open tickets grew with the backlog (1.1 ms at 6,800
open tickets, about 16 ms projected at 100,000). The tickets service moves a counter with each
change that takes a ticket into or out of an organisation's open queue, in the change's own
transaction; `recount` is the truth they are checked against (tests, the migration, benchmarks
that insert tickets in bulk).

On PostgreSQL the counter row is locked from its UPDATE to the commit: the UPDATE runs in the
change's last step (routing's assignment, after everything else a creation does), so creations
routed to the same organisation wait on each other only for the commit."""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from sqlalchemy import bindparam, delete, func, insert, select, text
from sqlalchemy.orm import Session

from helpdesk.tickets.models import OrgOpenCount, Ticket


class Placement(NamedTuple):
    """Where a ticket counts: its organisation, and whether it is open."""

    organisation_id: int | None
    is_open: bool

    @property
    def counted(self) -> bool:
        return self.is_open and self.organisation_id is not None


NOWHERE = Placement(None, False)  # a ticket not yet in the database

_MOVE = text(
    "INSERT INTO org_open_count (organisation_id, open_tickets) VALUES (:org, :delta) "
    "ON CONFLICT (organisation_id) "
    "DO UPDATE SET open_tickets = org_open_count.open_tickets + :delta"
)
_READ = select(OrgOpenCount.organisation_id, OrgOpenCount.open_tickets).where(
    OrgOpenCount.organisation_id.in_(bindparam("ids", expanding=True))
)


def placement(ticket: Ticket) -> Placement:
    return Placement(ticket.assigned_org_id, bool(ticket.is_open))


def move(session: Session, before: Placement, after: Placement) -> None:
    """Count a ticket that went from `before` to `after`: at most two counters change."""
    if before == after or (not before.counted and not after.counted):
        return
    if before.counted:
        session.execute(_MOVE, {"org": before.organisation_id, "delta": -1})
    if after.counted:
        session.execute(_MOVE, {"org": after.organisation_id, "delta": 1})


def open_by_org(session: Session, org_ids: Iterable[int]) -> dict[int, int]:
    """The counters of these organisations (one missing has no open ticket)."""
    ids = list(org_ids)
    found = {org_id: count for org_id, count in session.execute(_READ, {"ids": ids})}
    return {org_id: found.get(org_id, 0) for org_id in ids}


def recount(session: Session) -> dict[int, int]:
    """Open tickets per organisation counted from the ticket table (organisations with none
    left out)."""
    rows = session.execute(
        select(Ticket.assigned_org_id, func.count())
        .where(Ticket.is_open.is_(True), Ticket.assigned_org_id.is_not(None))
        .group_by(Ticket.assigned_org_id)
    )
    return {org_id: count for org_id, count in rows if org_id is not None}


def counters(session: Session) -> dict[int, int]:
    """Every counter that is not zero."""
    rows = session.execute(select(OrgOpenCount.organisation_id, OrgOpenCount.open_tickets))
    return {org_id: count for org_id, count in rows if count}


def reset(session: Session) -> None:
    """Set every counter from a recount (after tickets were written around the service)."""
    session.execute(delete(OrgOpenCount))
    fresh = recount(session)
    if fresh:
        session.execute(
            insert(OrgOpenCount),
            [{"organisation_id": org, "open_tickets": n} for org, n in fresh.items()],
        )
