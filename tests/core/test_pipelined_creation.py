"""A new ticket's writes go to PostgreSQL together (helpdesk/pipelined.py), and a constraint that
fails among them still fails the creation as a single statement would, leaving nothing."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Connection, func, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from helpdesk.outbox.models import OutboxEntry
from helpdesk.search.models import SearchDocument
from helpdesk.sla.models import SlaStage, TicketSla
from helpdesk.tickets import service
from helpdesk.tickets.models import OrgOpenCount, Ticket, TicketEvent

ROUTED = service.NewTicket(subject="咨询担保贷款", category="finance/guarantee", district="330109")


@pytest.fixture(params=[("ticket_event", "ticket_id"), ("search_document", "ref_id")])
def refused_table(request: pytest.FixtureRequest, session: Session) -> Iterator[str]:
    """One of a creation's writes refused by the database: its events (early: the error comes
    back while later statements are being queued) or its search document (the last: at the
    end of the pipeline)."""
    table, column = request.param
    engine = session.get_bind()

    def run(statement: str) -> None:
        with engine.begin() as ddl:
            assert isinstance(ddl, Connection)
            ddl.execute(text(statement))

    if engine.dialect.name == "postgresql":
        run(f"ALTER TABLE {table} ADD CONSTRAINT ck_test_refused CHECK ({column} < 0) NOT VALID")
        undo = f"ALTER TABLE {table} DROP CONSTRAINT ck_test_refused"
    else:
        run(
            f"CREATE TRIGGER ck_test_refused BEFORE INSERT ON {table} "
            "BEGIN SELECT RAISE(ABORT, 'ck_test_refused'); END"
        )
        undo = "DROP TRIGGER ck_test_refused"
    try:
        yield table
    finally:
        session.rollback()
        run(undo)


def test_a_refused_write_fails_the_creation_and_leaves_nothing(app, session, refused_table):
    with pytest.raises(IntegrityError, match="ck_test_refused"):
        service.create(session, None, ROUTED)
    session.rollback()
    for table in (Ticket, TicketEvent, TicketSla, SlaStage, OutboxEntry, SearchDocument):
        assert session.scalar(select(func.count()).select_from(table)) == 0, table
    counted = session.scalar(select(func.coalesce(func.sum(OrgOpenCount.open_tickets), 0)))
    assert counted == 0
