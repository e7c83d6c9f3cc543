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
from sqlalchemy.sql.compiler import SQLCompiler

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
    sql, params = _compiled(connection, stmt)
    driver = cast(psycopg.Connection[Any], connection.connection.dbapi_connection)
    with driver.cursor() as cursor:
        # The engine's cursor events, as SQLAlchemy's own execute fires them: whatever counts
        # or logs the statements (tests, the bench) sees this one too.
        connection.dispatch.before_cursor_execute(connection, cursor, sql, params, None, False)
        batch: list[Any] = []
        for row in cursor.stream(sql, params, size=size):
            batch.append(row)
            if len(batch) == size:
                yield batch
                batch = []
        if batch:
            yield batch
        connection.dispatch.after_cursor_execute(connection, cursor, sql, params, None, False)


def _compiled(connection: Connection, stmt: Select[Any]) -> tuple[str, dict[str, Any]]:
    """The statement's SQL and the driver's parameters. Compiled through the engine's own
    compiled cache, as `connection.execute` does: keyed on the statement's shape (its cache
    key), this statement's values taken from its cache key. `stmt.compile()` each time cost
    0.65 ms per streamed search (the statement has some 40 columns and clauses)."""
    dialect = connection.dialect
    cache = connection.get_execution_options().get(
        "compiled_cache", connection.engine._compiled_cache
    )
    found, extracted, collected, _hit = stmt._compile_w_cache(
        dialect, compiled_cache=cache, column_keys=[]
    )
    compiled = cast(SQLCompiler, found)  # a SELECT's
    params: dict[str, Any] = dict(
        compiled.construct_params(extracted_parameters=extracted, _collected_params=collected)
    )
    sql, processors = compiled.string, dict(compiled._bind_processors)
    if compiled.literal_execute_params or compiled.post_compile_params:
        # IN lists and literal_execute values: rendered for this execution's values
        expanded = compiled._process_parameters_for_postcompile(params)
        sql, params, processors = (
            expanded.statement,
            dict(expanded.parameters),
            dict(expanded.processors),
        )
    escaped = compiled.escaped_bind_names
    for name, process in processors.items():  # the binds' types, as execute applies them
        key = name if name in params else escaped.get(name, name)
        if key in params and callable(process):
            params[key] = process(params[key])
    return sql, params
