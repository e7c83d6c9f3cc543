"""A web process's greenlet waiting for SQLite's write lock lets the others run (the holder too).

Greenlets here run on gevent's hub in the test process, as they do in `helpdesk web`; the
holder and the waiter are synchronised by gevent events, never by sleeping."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import gevent
import pytest
from gevent.event import AsyncResult, Event
from sqlalchemy import create_engine, text

import helpdesk.db  # noqa: F401  (the connect PRAGMAs: WAL, busy timeout)
from helpdesk.runner.sqlite_writes import BUSY_MS, cooperative_writes

LOOP_BOUND = 1.0  # seconds; SQLite's own wait would hold the loop for its 10 s busy timeout


@pytest.fixture
def engine(tmp_path: Path):
    made = create_engine(
        f"sqlite:///{tmp_path / 'db.sqlite3'}",
        connect_args={"check_same_thread": False, "timeout": 30},
        pool_size=8,
    )
    assert cooperative_writes(made)
    with made.begin() as connection:
        connection.execute(text("CREATE TABLE t (v TEXT)"))
    yield made
    made.dispose()


def _loop_answers() -> float:
    """How long a fresh greenlet takes to run: the event loop's responsiveness."""
    started = time.monotonic()
    ran = AsyncResult()
    gevent.spawn(lambda: ran.set(time.monotonic()))
    return ran.get(timeout=30) - started


def _values(engine) -> list[str]:
    with engine.connect() as connection:
        return sorted(connection.execute(text("SELECT v FROM t")).scalars())


def test_a_writer_waits_for_another_greenlets_transaction_without_stopping_the_loop(engine):
    holding, release = Event(), Event()

    def first() -> None:
        with engine.begin() as connection:
            connection.execute(text("INSERT INTO t VALUES ('first')"))
            holding.set()
            release.wait()  # yields with the write lock held, as a request awaiting Redis

    def second() -> None:
        with engine.begin() as connection:
            connection.execute(text("INSERT INTO t VALUES ('second')"))

    one = gevent.spawn(first)
    holding.wait(timeout=30)
    two = gevent.spawn(second)
    assert _loop_answers() < LOOP_BOUND
    assert not two.ready()  # still waiting for the lock, not failed
    release.set()
    gevent.joinall([one, two], timeout=30, raise_error=True)
    assert _values(engine) == ["first", "second"]


def test_a_writer_waits_for_another_process_in_a_thread(engine, tmp_path: Path):
    other = sqlite3.connect(tmp_path / "db.sqlite3", check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")  # as the RQ worker's transaction would
    other.execute("INSERT INTO t VALUES ('worker')")

    def write(value: str) -> None:
        with engine.begin() as connection:
            connection.execute(text("INSERT INTO t VALUES (:v)"), {"v": value})

    writers = [gevent.spawn(write, f"web{n}") for n in range(3)]
    for _ in range(20):
        assert _loop_answers() < LOOP_BOUND
    assert not any(w.ready() for w in writers)
    other.commit()
    other.close()
    gevent.joinall(writers, timeout=30, raise_error=True)
    assert _values(engine) == ["web0", "web1", "web2", "worker"]


def test_the_connections_busy_timeout_is_short_and_reads_take_no_lock(engine):
    holding, release = Event(), Event()

    def hold() -> None:
        with engine.begin() as connection:
            connection.execute(text("INSERT INTO t VALUES ('held')"))
            holding.set()
            release.wait()

    holder = gevent.spawn(hold)
    holding.wait(timeout=30)
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA busy_timeout")).scalar() == BUSY_MS
        assert connection.execute(text("SELECT count(*) FROM t")).scalar() == 0  # WAL snapshot
    release.set()
    holder.get(timeout=30)


def test_nothing_to_do_for_postgresql_or_memory() -> None:
    assert not cooperative_writes(create_engine("sqlite://"))
    assert not cooperative_writes(create_engine("postgresql+psycopg://nobody@127.0.0.1:1/none"))
