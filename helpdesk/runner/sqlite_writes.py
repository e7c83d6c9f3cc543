"""SQLite write locks taken without stopping a gevent web process's loop.

SQLite has one writer per database. A connection that wants the write lock while another holds
it waits in SQLite's busy handler, which sleeps in C: on gevent that sleep stops every greenlet
of the process, the one holding the lock included, so it cannot reach its commit. Measured with
bench/phone_cti.py --queue (50 calls queued at once): 10 s stalls, then "database is locked".

So in a web process (installed by runner/web.py), a connection opens its write transaction
itself, before the first statement that writes (INSERT, UPDATE, DELETE, REPLACE, SAVEPOINT),
in two steps:

1. Within the process: a gevent semaphore per database file, held from that statement to the
   connection's commit or rollback. A writer waiting for another greenlet waits cooperatively.
2. Across processes (the RQ worker, CLI commands, a second web process): then `BEGIN
   IMMEDIATE`. The connection's busy timeout is short (BUSY_MS), so a first try stalls the
   loop for at most that; if another process holds the lock, the wait is repeated in gevent's
   native thread pool with the usual timeout, where SQLite sleeps without the GIL.

Only one greenlet of a process ever waits in the thread pool (the semaphore's holder), and
since `BEGIN IMMEDIATE` either gets the lock or opens nothing, no snapshot is ever stale.
Reads take no lock: in WAL mode they never wait for the writer.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine

BUSY_MS = 10  # the loop stalls at most this long when another process writes
WAIT_SECONDS = 30.0  # as the engine's connect timeout: then "database is locked", as before
_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE", "SAVEPOINT")


class _WriteLock:
    """One per database file and process: the semaphore and the greenlet holding it."""

    def __init__(self) -> None:
        from gevent.lock import Semaphore

        self.semaphore = Semaphore()
        self.owner: Any = None


_locks: dict[str, _WriteLock] = {}


def _starts_write(sql: str) -> bool:
    return sql.lstrip()[:9].upper().startswith(_WRITES)


def _begin_waiting(connection: CooperativeConnection) -> None:
    """BEGIN IMMEDIATE with the long busy timeout, for a native thread."""
    sqlite3.Connection.execute(connection, f"PRAGMA busy_timeout={int(WAIT_SECONDS * 1000)}")
    try:
        sqlite3.Connection.execute(connection, "BEGIN IMMEDIATE")
    finally:
        sqlite3.Connection.execute(connection, f"PRAGMA busy_timeout={BUSY_MS}")


class CooperativeConnection(sqlite3.Connection):
    """sqlite3's connection, opening its write transactions as the module doc says."""

    busy_timeout_ms = BUSY_MS  # db.py's connect PRAGMAs use this instead of their default
    database_path = ""
    holds = False

    def cursor(self, factory: Any = None) -> Any:
        return super().cursor(factory or CooperativeCursor)

    def begin_write(self) -> None:
        """Before a writing statement: the write lock, if this connection has no transaction."""
        if self.holds or self.in_transaction:
            return
        from gevent import getcurrent
        from gevent.hub import get_hub

        lock = _locks.get(self.database_path) or _locks.setdefault(self.database_path, _WriteLock())
        if lock.owner is getcurrent():
            # This greenlet writes on another connection: waiting would wait for ever.
            raise sqlite3.OperationalError("database is locked (held by this greenlet)")
        if not lock.semaphore.acquire(timeout=WAIT_SECONDS):
            raise sqlite3.OperationalError("database is locked (waited for this process)")
        lock.owner = getcurrent()
        self.holds = True
        try:
            try:
                sqlite3.Connection.execute(self, "BEGIN IMMEDIATE")
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) and "busy" not in str(exc):
                    raise
                get_hub().threadpool.apply(_begin_waiting, (self,))
        except BaseException:
            self.end_write()
            raise

    def end_write(self) -> None:
        """After commit, rollback or a statement that ended the transaction: let others in."""
        if self.holds and not self.in_transaction:
            self._release()

    def _release(self) -> None:
        self.holds = False
        lock = _locks[self.database_path]
        lock.owner = None
        lock.semaphore.release()

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            self.end_write()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self.end_write()

    def close(self) -> None:
        try:
            super().close()
        finally:
            if self.holds:
                self._release()


class CooperativeCursor(sqlite3.Cursor):
    connection: CooperativeConnection

    def execute(self, sql: str, parameters: Any = (), /) -> Any:
        if _starts_write(sql):
            self.connection.begin_write()
        try:
            return super().execute(sql, parameters)
        finally:
            self.connection.end_write()  # e.g. SQLite rolled back on its own

    def executemany(self, sql: str, seq_of_parameters: Any, /) -> Any:
        if _starts_write(sql):
            self.connection.begin_write()
        try:
            return super().executemany(sql, seq_of_parameters)
        finally:
            self.connection.end_write()


def cooperative_writes(engine: Engine) -> bool:
    """For a SQLite file database in a gevent process: its connections wait for the write lock
    cooperatively from now on. Returns whether it did anything."""
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:":
        return False

    @event.listens_for(engine, "do_connect")
    def _factory(dialect: Any, record: Any, cargs: Any, cparams: dict[str, Any]) -> None:
        cparams["factory"] = CooperativeConnection

    @event.listens_for(engine, "connect")
    def _path(dbapi_connection: Any, record: Any) -> None:
        dbapi_connection.database_path = database

    engine.dispose()  # connections opened before keep the blocking busy wait
    return True
