"""Declarative base with a constraint naming convention (stable Alembic diffs) and UTC times."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Session, scoped_session
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
