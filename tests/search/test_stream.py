"""The capped read's rows in batches (search/stream.py): on PostgreSQL as they arrive, so the
search counts one batch while the server sends the next; on SQLite all at once. Either way
the same rows in the same order, and the statement seen by the engine's cursor events."""

from __future__ import annotations

from typing import Any

from sqlalchemy import literal, select
from sqlalchemy.orm import Session

from helpdesk.search import stream

from .conftest import Statements


def test_batches_hold_every_row_in_order_and_the_statement_is_seen(
    session: Session, statements: Statements
) -> None:
    counter = select(literal(0).label("n")).cte("counter", recursive=True)
    counter = counter.union_all(select(counter.c.n + 1).where(counter.c.n < 2_499))
    stmt = select(counter.c.n).order_by(counter.c.n)
    statements.sent.clear()
    batches = list(stream.batches(session.connection(), stmt, size=1_000))
    assert [row[0] for batch in batches for row in batch] == list(range(2_500))
    postgresql = session.get_bind().dialect.name == "postgresql"
    assert [len(batch) for batch in batches] == ([1_000, 1_000, 500] if postgresql else [2_500])
    assert len([s for s in statements.sent if "counter" in s]) == 1
    assert list(stream.batches(session.connection(), stmt.where(counter.c.n < 0))) == []


def test_statements_of_one_shape_stream_their_own_values(session: Session) -> None:
    """The compiled form is kept for the shape (stream._as_sent): each statement still reads
    with its own values, IN lists included (rendered for the values of each run)."""
    counter = select(literal(0).label("n")).cte("counter", recursive=True)
    counter = counter.union_all(select(counter.c.n + 1).where(counter.c.n < 99))

    def read(stmt: Any) -> list[int]:
        return [row[0] for batch in stream.batches(session.connection(), stmt) for row in batch]

    for below in (3, 7, 3):
        assert read(select(counter.c.n).where(counter.c.n < below).order_by(counter.c.n)) == list(
            range(below)
        )
    for wanted in ([5, 9, 11], [1, 2], [40]):
        stmt = select(counter.c.n).where(counter.c.n.in_(wanted)).order_by(counter.c.n)
        assert read(stmt) == wanted
