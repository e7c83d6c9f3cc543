"""Writes sent together, without waiting for each answer (PostgreSQL's pipeline mode).

A new ticket is written with seven INSERTs whose answers nobody reads: the ticket row (its id
came with its number), its open-ticket counter, its events, SLA row and stages, outbox entries
and search document (tickets/service.py `_Creation.write`). One at a time, each was a round
trip: a wait in the web process (a greenlet parked and woken on a busy core) and a wake-up of
a backend. Inside `pipelined`, psycopg sends them one after the other and reads the answers at
the end, in one round trip.

SQLAlchemy does not drive pipeline mode; the raw psycopg connection does, under SQLAlchemy's
executes, which then only queue the statement: one whose rows are read does not belong inside
(SQLAlchemy would see none: the answer has not come), so an INSERT here is `.inline()`,
without SQLAlchemy's implicit `RETURNING id`. An error (a constraint) comes back at a later
statement or at the end: whichever, it is raised from inside the block as SQLAlchemy raises it
for a single statement (an IntegrityError with PostgreSQL's message; its [SQL] is the
statement being queued when it came back), nothing after the failing statement ran, and the
caller's rollback undoes what ran before. Elsewhere (SQLite, another driver) the statements
run one by one, as before.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session


@contextmanager
def pipelined(session: Session) -> Iterator[None]:
    """Statements executed inside on the session's connection go out without waiting for
    their answers, until one whose rows are read or the end of the block (PostgreSQL through
    psycopg); errors are raised by the end of the block."""
    connection = session.connection()
    dialect = connection.dialect
    if dialect.name != "postgresql" or dialect.driver != "psycopg":
        yield
        return
    import psycopg

    driver = connection.connection.driver_connection
    try:
        with driver.pipeline():  # type: ignore[union-attr]
            yield
    except psycopg.Error as error:
        # Raised by psycopg at the pipeline's end, outside SQLAlchemy's execute, which would
        # have wrapped it (an error found at a later execute already is wrapped: not here).
        raise DBAPIError.instance(
            "(pipelined statements)", None, error, psycopg.Error, dialect=dialect
        ) from error
