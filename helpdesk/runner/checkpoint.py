"""SQLite WAL checkpoints off the web process's event loop.

A commit that takes the WAL past `wal_autocheckpoint` (1,000 pages) copies it into the database
and fsyncs both inside the committing request; on gevent that stalls every socket the process
serves. Measured with bench/console_fanout.py (500 consoles, 10 updates/s): delivery p99 309 ms
with the database on disk against 61 ms on tmpfs. So the web process turns automatic
checkpoints off on its own connections and runs a PASSIVE checkpoint every second in gevent's
native thread pool, where SQLite works without the GIL while the loop goes on. Other processes
(the RQ worker, CLI commands) keep SQLite's default and checkpoint as they commit.
"""

from __future__ import annotations

import logging
import sqlite3
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine

log = logging.getLogger(__name__)
INTERVAL = 1.0


def _no_autocheckpoint(dbapi_connection: Any, connection_record: Any) -> None:
    dbapi_connection.execute("PRAGMA wal_autocheckpoint=0")


def checkpoint(path: str) -> tuple[int, int, int]:
    """One PASSIVE checkpoint on a connection of its own: (busy, wal pages, pages copied).
    PASSIVE never waits for readers or the writer; what it cannot copy now waits a second."""
    connection = sqlite3.connect(path, timeout=10)
    try:
        busy, pages, copied = connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        return busy, pages, copied
    finally:
        connection.close()


def move_checkpoints_off_loop(engine: Engine, interval: float = INTERVAL) -> Any:
    """For a SQLite file database: the greenlet that checkpoints; otherwise None."""
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:":
        return None
    import gevent
    from gevent.hub import get_hub

    event.listen(engine, "connect", _no_autocheckpoint)
    engine.dispose()  # connections opened before the listener keep the default

    def run() -> None:
        while True:
            gevent.sleep(interval)
            try:
                get_hub().threadpool.apply(checkpoint, (database,))
            except Exception:
                log.exception("WAL checkpoint of %s failed; retrying in %.0f s", database, interval)

    return gevent.spawn(run)
