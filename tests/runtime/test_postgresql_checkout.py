"""A pooled PostgreSQL connection is checked out without a round trip, and one the server ended
is still replaced before a request uses it (helpdesk/db.py, tune_postgresql).

The pool's pre-ping sent a query on every checkout: 2.5 of the 48 messages per created ticket
(bench/api_create.py --log-statements). Now the socket is looked at instead; a server that ends
a session says so on the socket, and then the real ping runs, fails, and the pool reconnects.
Synchronised on the socket itself (select with a timeout), never by sleeping.

Needs a PostgreSQL server (HELPDESK_TEST_DATABASE_URL); elsewhere it skips saying why.
"""

from __future__ import annotations

import os
import select
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import (
    Column,
    Engine,
    Integer,
    MetaData,
    Table,
    create_engine,
    event,
    insert,
    text,
)
from sqlalchemy import select as sql_select

from helpdesk.db import OneOf, tune_postgresql
from helpdesk.scratch_database import scratch_database

SERVER = os.environ.get("HELPDESK_TEST_DATABASE_URL")
pytestmark = pytest.mark.skipif(
    not SERVER, reason="the pool's checkout on PostgreSQL: set HELPDESK_TEST_DATABASE_URL"
)


@pytest.fixture
def engine(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Engine, list[int]]]:
    """A tuned engine with pre-ping, and the list of the real pings it sent."""
    assert SERVER
    with scratch_database(SERVER, "checkout") as url:
        made = create_engine(url, pool_size=1, max_overflow=0, pool_pre_ping=True)
        pings: list[int] = []
        real = made.dialect.do_ping

        def counted(dbapi_connection: Any) -> bool:
            pings.append(1)
            return real(dbapi_connection)

        monkeypatch.setattr(made.dialect, "do_ping", counted)
        tune_postgresql(made)
        yield made, pings
        made.dispose()


def backend_pid(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.execute(text("SELECT pg_backend_pid()")).scalar_one())


def test_a_healthy_pooled_connection_is_checked_out_without_a_ping(
    engine: tuple[Engine, list[int]],
) -> None:
    made, pings = engine
    first = backend_pid(made)
    assert [backend_pid(made) for _ in range(3)] == [first] * 3
    assert pings == []


def test_a_connection_the_server_ended_is_replaced_before_use(
    engine: tuple[Engine, list[int]],
) -> None:
    made, pings = engine
    with made.connect() as connection:
        pid = connection.execute(text("SELECT pg_backend_pid()")).scalar_one()
        socket = connection.connection.dbapi_connection.pgconn.socket  # type: ignore[union-attr]
    other = create_engine(made.url, poolclass=None)
    try:
        with other.connect() as killer:
            assert killer.execute(text("SELECT pg_terminate_backend(:p)"), {"p": pid}).scalar()
    finally:
        other.dispose()
    # The server's goodbye reaches the pooled connection's socket.
    readable, _, _ = select.select([socket], [], [], 30)
    assert readable
    assert backend_pid(made) != pid  # no error: the pool reconnected
    assert pings == [1]  # the real ping ran once, for the connection in doubt


def test_a_many_row_insert_is_one_statement(engine: tuple[Engine, list[int]]) -> None:
    made, _ = engine
    table = Table("few", MetaData(), Column("n", Integer))
    table.create(made)
    sent: list[tuple[str, bool]] = []

    @event.listens_for(made, "before_cursor_execute")
    def seen(conn: Any, cursor: Any, sql: str, params: Any, context: Any, many: bool) -> None:
        sent.append((sql, many))

    with made.begin() as connection:
        connection.execute(insert(table), [{"n": n} for n in range(6)])
        assert connection.execute(text("SELECT count(*) FROM few")).scalar_one() == 6
    # One statement with the six rows (the event still calls it an executemany).
    assert len(sent) == 2
    assert sent[0][0].count("(%(n__") == 6


def test_one_of_is_one_statement_for_any_number_of_ids(engine: tuple[Engine, list[int]]) -> None:
    made, _ = engine
    table = Table("some", MetaData(), Column("n", Integer))
    table.create(made)
    sent: list[str] = []

    @event.listens_for(made, "before_cursor_execute")
    def seen(conn: Any, cursor: Any, sql: str, params: Any, context: Any, many: bool) -> None:
        sent.append(sql)

    query = sql_select(table.c.n).where(OneOf(table.c.n, "ns")).order_by(table.c.n)
    with made.begin() as connection:
        connection.execute(insert(table), [{"n": n} for n in range(5)])
        sent.clear()
        assert connection.scalars(query, {"ns": [1, 3]}).all() == [1, 3]
        assert connection.scalars(query, {"ns": [0, 2, 4, 9]}).all() == [0, 2, 4]
        assert connection.scalars(query, {"ns": []}).all() == []
    assert len(set(sent)) == 1
