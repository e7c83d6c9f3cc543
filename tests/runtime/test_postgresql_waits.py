"""A web process's greenlet waiting for PostgreSQL lets the others run (runner/postgresql_waits.py).

One greenlet asks for an advisory lock another greenlet holds: the server answers only when the
holder lets go, which the holder can do only if the waiting greenlet parked on the hub instead
of stopping the loop. Synchronised by gevent events and the lock itself, never by sleeping; a
wait that stopped the loop would end at the waiter's lock_timeout, failing the test, not hang.

Needs a PostgreSQL server (HELPDESK_TEST_DATABASE_URL); CI's SQLite stage leaves it out
(tests/runtime/conftest.py), elsewhere it skips saying why.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import gevent
import pytest
from gevent.event import Event
from psycopg import waiting
from sqlalchemy import Engine, create_engine, text

from helpdesk.runner.postgresql_waits import wait_on_loop
from helpdesk.scratch_database import scratch_database

SERVER = os.environ.get("HELPDESK_TEST_DATABASE_URL")
pytestmark = pytest.mark.skipif(
    not SERVER, reason="psycopg's waits on PostgreSQL: set HELPDESK_TEST_DATABASE_URL"
)
LOCK = 17


@pytest.fixture
def engine(monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    monkeypatch.setattr(waiting, "wait", wait_on_loop)  # as cooperative_waits installs it
    assert SERVER
    with scratch_database(SERVER, "waits") as url:
        made = create_engine(url, pool_size=3)
        yield made
        made.dispose()


def test_a_greenlet_waiting_for_the_server_lets_the_holder_run(engine: Engine) -> None:
    holding, asking = Event(), Event()
    order: list[str] = []

    def holder() -> None:
        with engine.connect() as connection:
            connection.execute(text("SELECT pg_advisory_lock(:k)"), {"k": LOCK})
            holding.set()
            asking.wait()
            # Runs only while the other greenlet waits for the server on the hub.
            order.append(connection.execute(text("SELECT 'holder ran'")).scalar_one())
            connection.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": LOCK})

    def waiter() -> None:
        holding.wait()
        with engine.connect() as connection:
            connection.execute(text("SET lock_timeout = '20s'"))
            asking.set()
            connection.execute(text("SELECT pg_advisory_lock(:k)"), {"k": LOCK})
            order.append("waiter got the lock")
            connection.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": LOCK})

    greenlets = [gevent.spawn(holder), gevent.spawn(waiter)]
    gevent.joinall(greenlets, timeout=60, raise_error=True)
    assert order == ["holder ran", "waiter got the lock"]


def test_rows_and_errors_come_back_as_with_psycopgs_own_wait(engine: Engine) -> None:
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT generate_series(1, 5000)")).scalars().all()
        assert rows == list(range(1, 5001))
        long_text = "工单" * 200_000  # a query larger than the socket's buffer: sent in parts
        assert connection.execute(text("SELECT length(:t)"), {"t": long_text}).scalar_one() == (
            len(long_text)
        )
        with pytest.raises(Exception, match="division by zero"):
            connection.execute(text("SELECT 1 / 0"))


def test_statements_queued_in_a_pipeline_do_not_each_go_through_the_hub(engine: Engine) -> None:
    """In pipeline mode (helpdesk/pipelined.py) psycopg asks after each queued statement to send
    it; the socket is writable, so the greenlet goes on without parking on the hub: the hub is
    entered for the answers, not twice per statement (104 times here before)."""
    import greenlet
    from gevent.hub import get_hub

    hub = get_hub()
    entered: list[object] = []

    def trace(event: str, args: tuple[Any, Any]) -> None:
        if event in ("switch", "throw") and args[1] is hub:
            entered.append(args[1])

    with engine.connect() as connection:
        connection.execute(text("CREATE TEMPORARY TABLE queued (n int)"))
        driver = connection.connection.driver_connection
        assert driver is not None
        previous = greenlet.settrace(trace)
        try:
            with driver.pipeline():
                for n in range(50):
                    connection.execute(text("INSERT INTO queued VALUES (:n)"), {"n": n})
        finally:
            greenlet.settrace(previous)
        assert connection.execute(text("SELECT count(*) FROM queued")).scalar_one() == 50
        assert len(entered) <= 5, len(entered)
        with pytest.raises(Exception, match="division by zero"), driver.pipeline():
            connection.execute(text("INSERT INTO queued VALUES (1 / 0)"))
            connection.execute(text("INSERT INTO queued VALUES (51)"))
        connection.rollback()
