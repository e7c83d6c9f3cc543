"""On PostgreSQL a new ticket's writes go out together (helpdesk/pipelined.py): one round trip
for the seven INSERTs, and a connection whose pipeline failed works as before. PostgreSQL only:
CI runs this file in its PostgreSQL stage and leaves it out of its SQLite stage
(tests/core/conftest.py); test_pipelined_creation.py holds what both backends share."""

from __future__ import annotations

from typing import Any

import pytest
from psycopg import waiting
from psycopg.waiting import Wait
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from helpdesk import reference_version
from helpdesk.search.models import SearchDocument
from helpdesk.sla.models import SlaStage
from helpdesk.tickets import service
from helpdesk.tickets.models import Ticket, TicketEvent

ROUTED = service.NewTicket(subject="咨询担保贷款", category="finance/guarantee", district="330109")


def _round_trips(session: Session, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the times psycopg waits only to read PostgreSQL's answer on the session's
    connection, once for each statement sent alone; statements queued in pipeline mode wait
    to be sent, then for all their answers at once (waits for reading or writing, whichever
    comes: not counted). The list's length is the count."""
    connection = session.connection().connection.driver_connection
    socket = connection.pgconn.socket  # type: ignore[union-attr]
    reads: list[int] = []
    real = waiting.wait

    def counted(gen: Any, fileno: int, *args: Any, **kwargs: Any) -> Any:
        if fileno != socket:
            return real(gen, fileno, *args, **kwargs)

        def watched() -> Any:
            try:
                wanted = next(gen)
                while True:
                    if wanted == Wait.R:
                        reads.append(fileno)
                    wanted = gen.send((yield wanted))
            except StopIteration as done:
                return done.value

        return real(watched(), fileno, *args, **kwargs)

    monkeypatch.setattr(waiting, "wait", counted)
    return reads


def test_a_creations_writes_are_one_round_trip_on_postgresql(app, session, monkeypatch):
    if session.get_bind().dialect.name != "postgresql":
        pytest.skip("pipeline mode is PostgreSQL's; SQLite runs in the process")
    session.execute(text("SELECT 1"))  # the transaction begun: BEGIN is not counted
    # Warm, on the connection the creation runs on: reference data and routing's caches
    # loaded, and each statement prepared (psycopg prepares at a statement's second run on a
    # connection, and outside a pipeline waits for that apart: not counted here).
    for _ in range(2):
        reference_version.reread()  # read at most every 0.5 s: made certain, not left to timing
        service.create(session, None, ROUTED)
    reference_version.reread()
    waits = _round_trips(session, monkeypatch)
    ticket = service.create(session, None, ROUTED)
    # Alone: the reference data's version (the number's upsert is on its own connection).
    # The ticket, its events, SLA row and stages, outbox entry and search document are
    # queued and read together: one each before (7 waits). Fewer when an answer is already in
    # when psycopg looks (a loaded machine: the server answers while the client still sends),
    # which is read then without a wait of its own.
    assert 1 <= len(waits) <= 2, len(waits)
    session.commit()
    stored = session.get(Ticket, ticket.id)
    assert stored is not None and stored.number == ticket.number
    assert session.scalar(select(func.count()).where(TicketEvent.ticket_id == ticket.id)) == 1
    assert session.scalar(select(func.count()).where(SlaStage.ticket_id == ticket.id)) == 6
    assert session.scalar(select(func.count()).where(SearchDocument.ref_id == ticket.id)) == 1


def test_after_a_refused_creation_the_connection_works_as_before(app, session):
    """The failed pipeline is left (no statement after it is only queued): the same session's
    next creation is written, and an UPDATE's row count is read again."""
    engine = session.get_bind()
    clause = "CHECK (ref_id < 0) NOT VALID"
    if engine.dialect.name != "postgresql":
        pytest.skip("the pipeline is PostgreSQL's")
    with engine.begin() as ddl:
        ddl.execute(text(f"ALTER TABLE search_document ADD CONSTRAINT ck_test_refused {clause}"))
    try:
        with pytest.raises(IntegrityError):
            service.create(session, None, ROUTED)
        session.rollback()
    finally:
        with engine.begin() as ddl:
            ddl.execute(text("ALTER TABLE search_document DROP CONSTRAINT ck_test_refused"))
    ticket = service.create(session, None, ROUTED)
    session.commit()
    moved = session.execute(
        text("UPDATE ticket SET subject = subject WHERE id = :id"), {"id": ticket.id}
    )
    assert moved.rowcount == 1  # type: ignore[attr-defined]
    session.commit()
    assert session.scalar(select(func.count()).select_from(Ticket)) == 1


def test_a_rollback_keeps_the_connections_prepared_statements(app, session):
    """A transaction that only read ends with a rollback (the outbox dispatcher's, a page's):
    the statements prepared on that connection are still prepared after it, not parsed and
    planned afresh; and what the transaction wrote is undone as ever."""
    engine = session.get_bind()
    if engine.dialect.name != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's")
    ticket = service.create(session, None, ROUTED)
    session.commit()
    read = text("SELECT subject FROM ticket WHERE id = :id")
    with engine.connect() as connection:
        for _ in range(2):  # prepared at its second run (db.PREPARE_THRESHOLD)
            assert connection.execute(read, {"id": ticket.id}).scalar() == ROUTED.subject
        connection.execute(
            text("UPDATE ticket SET subject = 'changed' WHERE id = :id"), {"id": ticket.id}
        )
        connection.rollback()
        prepared = connection.scalars(text("SELECT statement FROM pg_prepared_statements")).all()
        assert any("SELECT subject FROM ticket" in statement for statement in prepared), prepared
        assert connection.execute(read, {"id": ticket.id}).scalar() == ROUTED.subject
        connection.rollback()
