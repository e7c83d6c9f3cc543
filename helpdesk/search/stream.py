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
from sqlalchemy import Connection, Select, event
from sqlalchemy.engine import ExecutionContext

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
    # The engine's cursor events fire in _as_sent, as for any statement: whatever counts or
    # logs the statements (tests, the bench) sees this one too.
    sql, params = _as_sent(connection, stmt)
    driver = cast(psycopg.Connection[Any], connection.connection.dbapi_connection)
    with driver.cursor() as cursor:
        batch: list[Any] = []
        for row in cursor.stream(sql, params, size=size):
            batch.append(row)
            if len(batch) == size:
                yield batch
                batch = []
        if batch:
            yield batch


def _as_sent(connection: Connection, stmt: Select[Any]) -> tuple[str, Any]:
    """The statement's SQL and the driver's parameters, exactly as `connection.execute` would
    send them, through public API only: execute runs as ever (the engine's compiled cache,
    keyed on the statement's shape, this statement's values, bind processors, IN lists
    rendered for this run's values, the engine's cursor events), but the `do_execute` hook
    keeps what would be sent instead of sending it. `stmt.compile()` each time cost 0.65 ms
    per streamed search (the statement has some 40 columns and clauses); this costs what the
    compiled cache's lookup does."""
    engine = connection.engine
    if not event.contains(engine, "do_execute", _keep_instead_of_sending):
        event.listen(engine, "do_execute", _keep_instead_of_sending)
    kept: list[tuple[str, Any]] = []
    connection.execute(stmt, execution_options={_KEEP: kept}).close()
    return kept[0]


_KEEP = "helpdesk_stream_keep"


def _keep_instead_of_sending(
    cursor: Any, statement: str, parameters: Any, context: ExecutionContext
) -> bool | None:
    """For a statement executed with the `_KEEP` option: keep it, tell SQLAlchemy it was sent
    (True), and it reads no rows; every other statement goes on as usual (None)."""
    kept = context.execution_options.get(_KEEP)
    if kept is None:
        return None
    kept.append((statement, parameters))
    return True
