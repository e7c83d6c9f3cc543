"""Declarative base with a constraint naming convention (stable Alembic diffs) and UTC times."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime
from functools import cache
from typing import Any

from sqlalchemy import ARRAY, Boolean, DateTime, MetaData, any_, bindparam, event
from sqlalchemy.engine import Engine
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import DeclarativeBase, Session, scoped_session
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.visitors import InternalTraversal
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator[datetime]):
    """Stored as naive UTC on every backend, always returned timezone-aware."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


def stored(value: Any) -> Any:
    """`value` as its column holds it: an enum member's value, anything else as it is."""
    return getattr(value, "value", value)


MMAP_BYTES = 2**31  # SQLite lowers it to its compile-time limit (0x7fff0000 in CPython's)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection: Any, connection_record: Any) -> None:
    """WAL lets readers run beside the single writer; foreign keys are off by default."""
    if not isinstance(dbapi_connection, sqlite3.Connection):  # subclasses too: sqlite_writes
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    # The file read through a memory map (up to SQLite's own limit, 2 GB here), not a read()
    # into each connection's 2 MB page cache: a staff search at 1,000,000 tickets reads
    # 10,001 document rows from 50,000-60,000 recent ones, and took 4-6 ms less CPU of 45-90
    # (bench/search_1m.py). The pages are the OS's, shared by every connection and process.
    cursor.execute(f"PRAGMA mmap_size={MMAP_BYTES}")
    # A gevent web process's connections wait for the write lock cooperatively and keep
    # SQLite's own (loop-blocking) wait short: runner/sqlite_writes.py.
    busy_ms = getattr(dbapi_connection, "busy_timeout_ms", 10000)
    cursor.execute(f"PRAGMA busy_timeout={int(busy_ms)}")
    cursor.close()


def commit_keeping(session: Session | scoped_session[Session]) -> None:
    """Commit without expiring the rows loaded in the session: for a request that goes on
    reading what it has just written (the IVR's call record: bench/phone_queue.py, 15 % of a
    queued call's CPU was reading the row again after the commit, one SELECT per attribute
    group). Only for rows this transaction wrote or does not need fresh."""
    target = session() if isinstance(session, scoped_session) else session  # db.session too
    keep = target.expire_on_commit
    target.expire_on_commit = False
    try:
        target.commit()
    finally:
        target.expire_on_commit = keep


def savepoint_released(session: Session) -> bool:
    """In an `after_commit` hook: whether this "commit" only released a SAVEPOINT
    (`begin_nested`). SQLAlchemy calls `after_commit` for those too, but nothing is committed
    yet (and on SQLite the outer transaction still holds the write lock), so work meant for
    after the outermost commit returns early when this is true."""
    return session.in_nested_transaction()


def tune_postgresql(engine: Engine) -> None:
    """On PostgreSQL through psycopg, fewer round trips per request (bench/api_create.py
    --log-statements: 48 messages per created ticket, each round trip a wait in the web process
    and a wake-up of a backend):

    - an INSERT of several rows is one statement (`VALUES (...), (...)`) as psycopg2 has it,
      not psycopg's executemany (a pipeline of one statement per row: the SLA stages' six
      rows, the events' and outbox entries' two; 11 % of the web process's CPU per ticket);
    - the pool's check on checkout looks at the socket instead of sending a query
      (`_alive`): 2.5 of the round trips per ticket were those pings;
    - a statement is prepared on its second run on a connection, not its sixth: with a pool
      of 10-20 connections the rarer statements (the reference-version SELECT: 0.53 ms of
      planning per run, the routing's loads) were parsed and planned afresh nearly every time,
      0.65 ms of the backends' time per ticket in their bind step alone;
    - a rollback keeps the connection's prepared statements (`_keeping_prepared`)."""
    if engine.dialect.name != "postgresql" or engine.dialect.driver != "psycopg":
        return
    dialect = engine.dialect
    dialect.use_insertmanyvalues_wo_returning = True
    ping = dialect.do_ping

    def do_ping(dbapi_connection: Any) -> bool:
        return _alive(dbapi_connection) or ping(dbapi_connection)

    dialect.do_ping = do_ping  # type: ignore[method-assign]
    event.listen(engine, "connect", _prepare_early)
    rollback = dialect.do_rollback

    def do_rollback(dbapi_connection: Any) -> None:
        _keeping_prepared(rollback, dbapi_connection)

    dialect.do_rollback = do_rollback  # type: ignore[method-assign]


def _keeping_prepared(rollback: Callable[[Any], None], dbapi_connection: Any) -> None:
    """`rollback` (the dialect's), keeping the connection's prepared statements. psycopg
    forgets them all at a rollback and sends DEALLOCATE ALL, in case the transaction made
    objects they name (DDL, which this app runs only in migrations, on their own engine). A
    transaction that only read ends so (the outbox dispatcher's reads, a page's request at
    teardown): every statement then run on that pooled connection was parsed and planned
    afresh, twice, before it was prepared again (bench/api_create.py --log-statements: the
    dispatcher's reads never prepared, 0.04 DEALLOCATE per ticket). On the server a prepared
    statement outlives a rollback, and PostgreSQL re-plans it when what it reads changes."""
    prepared = getattr(dbapi_connection, "_prepared", None)
    if prepared is None or not hasattr(prepared, "clear"):  # another psycopg: as it does
        rollback(dbapi_connection)
        return
    prepared.clear = _kept  # psycopg's own attribute, for this rollback only
    try:
        rollback(dbapi_connection)
    finally:
        del prepared.clear


def _kept() -> bool:
    return False  # PrepareManager.clear's answer: nothing cleared, nothing to send


def _prepare_early(dbapi_connection: Any, connection_record: Any) -> None:
    dbapi_connection.prepare_threshold = PREPARE_THRESHOLD


PREPARE_THRESHOLD = 1  # psycopg's default is 5 runs on the same connection


def _alive(dbapi_connection: Any) -> bool:
    """Whether a pooled psycopg connection is surely usable without asking the server: open,
    idle outside a transaction, and nothing waiting on its socket. A server that ended the
    session (restart, pg_terminate_backend, idle timeout) says so and closes the socket, which
    makes it readable; then (or when in doubt) the caller sends the real ping, which fails and
    has the pool reconnect. A peer gone silently (a cable pulled) is not seen here, nor was it
    by the ping before its TCP timeout."""
    from psycopg import pq

    pgconn = getattr(dbapi_connection, "pgconn", None)
    if pgconn is None or dbapi_connection.closed:
        return False
    if pgconn.status != pq.ConnStatus.OK:
        return False
    if pgconn.transaction_status != pq.TransactionStatus.IDLE:
        return False
    readable, _, _ = unpatched_select()([pgconn.socket], [], [], 0)
    return not readable


@cache
def unpatched_select() -> Any:
    """The system's select.select (a zero timeout never blocks), not gevent's, which in a web
    process would build a watcher for it."""
    try:
        from gevent.monkey import get_original
    except ImportError:  # pragma: no cover - gevent is a dependency
        import select

        return select.select
    return get_original("select", "select")


class OneOf(ColumnElement[bool]):
    """`column IN (:name)` for a list given at execution, as one statement whatever its length:
    PostgreSQL `column = ANY(:name)` (one array parameter), elsewhere SQLAlchemy's expanding
    IN. An expanding IN is a new statement text for each length, so on PostgreSQL each batch
    of the outbox dispatcher's reads was parsed and planned afresh (the tickets' summaries:
    0.53 ms of planning a time, bench/api_create.py --log-statements)."""

    inherit_cache = True
    type = Boolean()
    _is_implicitly_boolean = True  # a comparison: no "= 1" after it where booleans are ints

    def __init__(self, column: Any, name: str) -> None:
        clause = getattr(column, "__clause_element__", None)  # a mapped attribute's column
        self.column: ColumnElement[Any] = column if clause is None else clause()
        self.name = name

    _traverse_internals = [
        ("column", InternalTraversal.dp_clauseelement),
        ("name", InternalTraversal.dp_string),
    ]


@compiles(OneOf)
def _one_of(element: OneOf, compiler: Any, **kw: Any) -> str:
    expanding = element.column.in_(bindparam(element.name, expanding=True))
    return str(compiler.process(expanding, **kw))


@compiles(OneOf, "postgresql")
def _one_of_postgresql(element: OneOf, compiler: Any, **kw: Any) -> str:
    array = bindparam(element.name, type_=ARRAY(element.column.type))
    return str(compiler.process(element.column == any_(array), **kw))
