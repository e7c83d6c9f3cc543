"""A ticket creation's fixed writes, run on SQLite's DBAPI cursor with a compiled form kept.

A new ticket writes the same eight statements every time (its number, the ticket row, the
open-ticket counter, its events, SLA row and stages, outbox entries, search document). Through
SQLAlchemy's `Connection.execute` each paid its cache-key walk, execution context and result
set-up: about 0.07 ms per statement, more than SQLite took to run it, and the largest single
share of the request's CPU (bench/api_create.py --sample). Here each statement is compiled once
per dialect and set of columns, and run with the compiled SQL, the same bind processors
SQLAlchemy applies (datetimes, enums, JSON, booleans) and the engine's cursor events fired as
SQLAlchemy fires them, so whatever counts or logs statements (tests, the bench) still sees them.

Only for INSERTs and plain statements whose results are not read, or an INSERT's RETURNING of
one scalar, and only on SQLite: on any other backend, or when a column left out has a Python-side
default that SQLAlchemy would fill, `execute` is `Connection.execute` itself.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

from sqlalchemy import Connection, exc
from sqlalchemy.sql import ClauseElement, Executable
from sqlalchemy.sql.dml import Insert

Params = Mapping[str, Any]


class _Compiled(NamedTuple):
    sql: str
    names: tuple[str, ...]  # the bind names in positional order
    processors: tuple[Any, ...]  # each name's bind processor, or None
    defaults: dict[str, Any]  # the scalar defaults of columns not given, as SQLAlchemy fills


# (statement's id, dialect, parameter names) -> (the statement, kept so its id stays its own;
# its compiled form). The statements are module constants: a handful of entries.
_compiled: dict[tuple[int, Any, frozenset[str]], tuple[Executable, _Compiled | None]] = {}


def _compile(
    connection: Connection, statement: Executable, keys: frozenset[str]
) -> _Compiled | None:
    """The statement's SQL for these parameter names, or None when only SQLAlchemy's own
    execution is right for it (a default computed per row, parameters not positional)."""
    dialect = connection.dialect
    defaults: dict[str, Any] = {}
    if isinstance(statement, Insert):
        for column in statement.table.columns:
            default = column.default
            if column.key in keys or default is None:
                continue
            if not default.is_scalar:
                return None  # SQLAlchemy computes it per row
            defaults[column.key] = default.arg  # type: ignore[attr-defined]
        compiled = statement.compile(dialect=dialect, column_keys=sorted(keys | defaults.keys()))
    elif isinstance(statement, ClauseElement):
        compiled = statement.compile(dialect=dialect)  # type: ignore[assignment]
    else:
        return None
    names = compiled.positiontup
    if names is None:
        return None
    processors = compiled._bind_processors
    return _Compiled(
        compiled.string, tuple(names), tuple(processors.get(name) for name in names), defaults
    )


def _positional(compiled: _Compiled, params: Params) -> tuple[Any, ...]:
    if compiled.defaults:
        params = {**compiled.defaults, **params}
    # None goes through its processor too: JSON writes it as 'null', as SQLAlchemy does
    return tuple(
        value if process is None else process(value)
        for value, process in zip(
            (params[name] for name in compiled.names), compiled.processors, strict=True
        )
    )


def execute(
    connection: Connection, statement: Executable, params: Params | Sequence[Params]
) -> Any:
    """Run `statement` with one row of parameters (the first column of its first result row
    is returned: an INSERT's RETURNING id) or several (executemany; None)."""
    many = not isinstance(params, Mapping)
    rows: Sequence[Params] = params if many else (params,)  # type: ignore[assignment]
    if connection.dialect.name != "sqlite" or not rows:
        return _through_sqlalchemy(connection, statement, params, many)
    keys = frozenset(rows[0])
    cache_key = (id(statement), connection.dialect, keys)
    try:
        compiled = _compiled[cache_key][1]
    except KeyError:
        compiled = _compile(connection, statement, keys)
        _compiled[cache_key] = (statement, compiled)
    if compiled is None or (many and any(frozenset(row) != keys for row in rows)):
        return _through_sqlalchemy(connection, statement, params, many)
    values: Any = (
        [_positional(compiled, row) for row in rows] if many else _positional(compiled, rows[0])
    )
    cursor = connection.connection.cursor()
    events = connection._has_events or connection.engine._has_events
    dbapi_error = connection.dialect.loaded_dbapi.Error
    try:
        if events:
            connection.dispatch.before_cursor_execute(
                connection, cursor, compiled.sql, values, None, many
            )
        if many:
            cursor.executemany(compiled.sql, values)
            found = None
        else:
            cursor.execute(compiled.sql, values)
            row = cursor.fetchone() if cursor.description else None
            found = row[0] if row else None
        if events:
            connection.dispatch.after_cursor_execute(
                connection, cursor, compiled.sql, values, None, many
            )
        return found
    except dbapi_error as error:  # as SQLAlchemy's execute raises it (IntegrityError...)
        raise exc.DBAPIError.instance(
            compiled.sql, values, error, dbapi_error, dialect=connection.dialect
        ) from error
    finally:
        cursor.close()


def _through_sqlalchemy(
    connection: Connection, statement: Executable, params: Any, many: bool
) -> Any:
    result = connection.execute(statement, params)
    if many or not result.returns_rows:
        return None
    return result.scalar()
