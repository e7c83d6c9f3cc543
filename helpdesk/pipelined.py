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
from typing import Any

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


def begin_with_first_statement(cursor: Any, statement: str, parameters: Any) -> bool:
    """For the dialect's `do_execute` (db.tune_postgresql): a transaction's BEGIN goes out
    with its first statement, in one round trip, instead of on its own.

    Outside pipeline mode psycopg sends BEGIN and waits for its answer before the statement
    (inside, it syncs after it, which waits too): one round trip more per transaction, about
    one per created ticket (bench/api_create.py --log-statements). Here, when a statement would
    open the transaction, psycopg is told not to (autocommit for the moment), and BEGIN and the
    statement are queued in a pipeline whose end sends both and reads both answers; the
    statement's rows are then on the cursor, as after a plain execute, and an error is raised
    here like one from execute. Only the plain case: a transaction with psycopg's default
    BEGIN (no isolation level, read-only or deferrable set on the connection), a client-side
    cursor, no pipeline open; otherwise False, and the caller executes as usual.
    True: sent (SQLAlchemy then reads the cursor as usual)."""
    import psycopg
    from psycopg import pq

    driver = cursor.connection
    pgconn = driver.pgconn
    if (
        type(cursor) is not psycopg.Cursor
        or driver.autocommit
        or pgconn.transaction_status != pq.TransactionStatus.IDLE
        or pgconn.pipeline_status != pq.PipelineStatus.OFF
        or driver.isolation_level is not None
        or driver.read_only is not None
        or driver.deferrable is not None
    ):
        return False
    # Autocommit for the moment: psycopg sends no BEGIN of its own (and awaits none). Its
    # attribute, not its setter: the setter refuses a change inside the transaction this
    # opens. After it, psycopg sees the open transaction and commits or rolls it back.
    driver._autocommit = True
    try:
        with driver.pipeline():
            cursor.execute(_BEGIN, prepare=False)  # its answer then the statement's, in order
            cursor.execute(statement, parameters)
    finally:
        driver._autocommit = False
    return True


_BEGIN = b"BEGIN"
