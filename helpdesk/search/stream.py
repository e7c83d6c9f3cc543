"""A capped read's rows in batches as they arrive, so that the Python over each batch runs
while PostgreSQL still walks and sends the next: the wall time of a staff search is then
about the larger of the two, not their sum (bench/search_1m.py).

PostgreSQL: psycopg's `Cursor.stream` in chunks (libpq 17's chunked rows mode), one
statement, rows sent as the server finds them. A server-side (named) cursor would not do:
the server runs its portal only for each FETCH, so the two would still take turns. SQLite
runs in this process: nothing to overlap, one batch of every row, as before (and so on
PostgreSQL when the driver cannot read in chunks).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, cast

import psycopg
from sqlalchemy import Connection, Select

# Rows per batch: 500-2,000 took the same time for 10,001 rows (bench/search_1m.py).
BATCH = 1_000


def _chunked() -> bool:
    """psycopg 3.2+ on libpq 17+ (psycopg[binary] ships its own); else the rows come at once."""
    capabilities = getattr(psycopg, "capabilities", None)  # psycopg 3.2+
    return capabilities is not None and bool(capabilities.has_stream_chunked())


def batches(
    connection: Connection, stmt: Select[Any], size: int = BATCH
) -> Iterator[Sequence[Any]]:
    """The statement's rows as the driver's tuples, in lists of at most `size` rows. Read
    them all: leaving the stream early cancels the statement, and the transaction with it."""
    if connection.dialect.name != "postgresql" or not _chunked():
        result = connection.execute(stmt)
        # The driver's own tuples, not a SQLAlchemy Row per match (no result processing to
        # skip here: strings, integers, `created` coerced to String).
        rows = result.cursor.fetchall()
        result.close()
        if rows:
            yield rows
        return
    compiled = stmt.compile(dialect=connection.dialect)
    params = compiled.construct_params()
    for name, bind in compiled.binds.items():  # the binds' types, as SQLAlchemy's execute
        process = bind.type.dialect_impl(connection.dialect).bind_processor(connection.dialect)
        if process is not None and name in params:
            params[name] = process(params[name])
    driver = cast(psycopg.Connection[Any], connection.connection.dbapi_connection)
    with driver.cursor() as cursor:
        # The engine's cursor events, as SQLAlchemy's own execute fires them: whatever counts
        # or logs the statements (tests, the bench) sees this one too.
        connection.dispatch.before_cursor_execute(
            connection, cursor, compiled.string, params, None, False
        )
        batch: list[Any] = []
        for row in cursor.stream(compiled.string, params, size=size):
            batch.append(row)
            if len(batch) == size:
                yield batch
                batch = []
        if batch:
            yield batch
        connection.dispatch.after_cursor_execute(
            connection, cursor, compiled.string, params, None, False
        )
