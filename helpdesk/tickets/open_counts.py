"""Open tickets per organisation as counters (issue 17, item 7): routing asks for a candidate's
load on every new ticket, and counting its open tickets grew with the backlog (1.1 ms at 6,800
open tickets, about 16 ms projected at 100,000). The tickets service moves a counter with each
change that takes a ticket into or out of an organisation's open queue, in the change's own
transaction; `recount` is the truth they are checked against (tests, the migration, benchmarks
that insert tickets in bulk).

On PostgreSQL a counter row is locked from its UPDATE to the commit, and a creation goes on for
a while after routing's assignment (outbox entry, SLA stages, search words), during which its
process may be busy with other requests: with one row per organisation, concurrent creations
for one organisation queued on that lock, and two web processes made no more tickets than one
(pg_stat_activity during bench/api_create.py: most sampled waits were on this row). So each
organisation has up to STRIPES rows; a transaction adds to its connection's (`_stripe`), and a
read sums them."""

from __future__ import annotations

import itertools
import random
from typing import NamedTuple

from sqlalchemy import delete, func, insert, select, text
from sqlalchemy.orm import Session

from helpdesk import direct_sql
from helpdesk.tickets.models import OrgOpenCount, Ticket


class Placement(NamedTuple):
    """Where a ticket counts: its organisation, and whether it is open."""

    organisation_id: int | None
    is_open: bool

    @property
    def counted(self) -> bool:
        return self.is_open and self.organisation_id is not None


NOWHERE = Placement(None, False)  # a ticket not yet in the database

STRIPES = 32  # rows per organisation, at most: each database connection adds to its own
_STRIPE_KEY = "helpdesk.open_count_stripe"
_next_stripe = itertools.count(random.randrange(STRIPES))
_MOVE = text(
    "INSERT INTO org_open_count (organisation_id, stripe, open_tickets) "
    "VALUES (:org, :stripe, :delta) ON CONFLICT (organisation_id, stripe) "
    "DO UPDATE SET open_tickets = org_open_count.open_tickets + :delta"
)
_TOTAL = func.sum(OrgOpenCount.open_tickets)
_COUNTERS = select(OrgOpenCount.organisation_id, _TOTAL).group_by(OrgOpenCount.organisation_id)


def placement(ticket: Ticket) -> Placement:
    return Placement(ticket.assigned_org_id, bool(ticket.is_open))


def move(session: Session, before: Placement, after: Placement) -> None:
    """Count a ticket that went from `before` to `after`: at most two counters change."""
    if before == after or (not before.counted and not after.counted):
        return
    # A stripe's own value means nothing (it may be negative); only the sum does.
    stripe = _stripe(session)
    # On the connection: a plain upsert, nothing pending to flush before it, and the ORM's
    # execution (bind look-up, events) cost more than SQLite's answer.
    connection = session.connection()
    if before.counted:
        direct_sql.execute(
            connection, _MOVE, {"org": before.organisation_id, "stripe": stripe, "delta": -1}
        )
    if after.counted:
        direct_sql.execute(
            connection, _MOVE, {"org": after.organisation_id, "stripe": stripe, "delta": 1}
        )


def _stripe(session: Session) -> int:
    """The stripe of the database connection the transaction runs on, given to it at its first
    move, round-robin from a random start in each process. So all of one transaction's moves
    take one row (a new ticket counted at the centre and then routed away moves the centre's
    counter twice: two stripes could be locked in opposite orders by two creations, a
    deadlock), and transactions running at once in one process never share a row; another
    process's share one only where their rounds overlap. Picked at random per transaction
    instead, 8 creations at once found a held row about half the time (the birthday
    problem)."""
    info = session.connection().info  # lives as long as the pooled DBAPI connection
    stripe = info.get(_STRIPE_KEY)
    if stripe is None:
        stripe = info[_STRIPE_KEY] = next(_next_stripe) % STRIPES
    return int(stripe)


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
    """Every counter that is not zero. Routing reads them all on each new ticket: on the
    session's connection, since the ORM's execution of a read of two columns cost as much
    as SQLite's answer (nothing pending needs flushing before it)."""
    rows = session.connection().execute(_COUNTERS)
    return {org_id: int(count) for org_id, count in rows if count}


def reset(session: Session) -> None:
    """Set every counter from a recount (after tickets were written around the service)."""
    session.execute(delete(OrgOpenCount))
    fresh = recount(session)
    if fresh:
        session.execute(
            insert(OrgOpenCount),
            [{"organisation_id": org, "stripe": 0, "open_tickets": n} for org, n in fresh.items()],
        )
