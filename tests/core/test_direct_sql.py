"""helpdesk.direct_sql writes what SQLAlchemy's own execute writes, on SQLite's cursor."""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Enum,
    Integer,
    MetaData,
    String,
    Table,
    create_engine,
    event,
    insert,
    text,
)
from sqlalchemy.exc import IntegrityError

from helpdesk import direct_sql


class Colour(enum.Enum):
    RED = "red"
    BLUE = "blue"


metadata = MetaData()
rows = Table(
    "rows",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("colour", Enum(Colour)),
    Column("at", DateTime(timezone=True)),
    Column("data", JSON),
    Column("flag", Boolean, default=False),  # a scalar default: filled as SQLAlchemy does
    Column("label", String, server_default="none"),
)
INSERT = insert(rows)
INSERT_RETURNING = insert(rows).returning(rows.c.id)


def _stored(connection: Any, row_id: int) -> tuple[Any, ...]:
    return tuple(connection.exec_driver_sql(f"SELECT * FROM rows WHERE id = {row_id}").one())


@pytest.mark.parametrize(
    "values",
    [
        {"colour": Colour.BLUE, "at": datetime(2026, 12, 5, 8, 30, tzinfo=UTC), "data": {"a": 1}},
        {"colour": None, "at": None, "data": None, "flag": True},
        {"data": [1, "二"]},
    ],
)
def test_the_row_written_is_the_one_sqlalchemy_writes(values: dict[str, Any]) -> None:
    engine = create_engine("sqlite://")
    metadata.create_all(engine)
    with engine.begin() as connection:
        connection.execute(insert(rows), {"id": 1, **values})
        direct_sql.execute(connection, INSERT, {"id": 2, **values})
        direct_sql.execute(connection, INSERT, [{"id": 3, **values}, {"id": 4, **values}])
        expected = _stored(connection, 1)[1:]
        assert [_stored(connection, i)[1:] for i in (2, 3, 4)] == [expected] * 3


def test_returning_gives_the_new_id_and_statements_are_seen_by_cursor_events() -> None:
    engine = create_engine("sqlite://")
    metadata.create_all(engine)
    seen: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *args: seen.append(args[2]))
    with engine.begin() as connection:
        assert direct_sql.execute(connection, INSERT_RETURNING, {"colour": Colour.RED}) == 1
        assert direct_sql.execute(connection, INSERT_RETURNING, {"colour": Colour.RED}) == 2
        counter = text("SELECT :a + :b")
        assert direct_sql.execute(connection, counter, {"a": 2, "b": 3}) == 5
    assert [s.split()[0] for s in seen] == ["INSERT", "INSERT", "SELECT"]


def test_a_constraint_failure_is_sqlalchemys_integrity_error() -> None:
    engine = create_engine("sqlite://")
    metadata.create_all(engine)
    with engine.begin() as connection:
        direct_sql.execute(connection, INSERT, {"id": 1})
        with pytest.raises(IntegrityError):
            direct_sql.execute(connection, INSERT, {"id": 1})
