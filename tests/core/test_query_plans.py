"""The ticket list is served by an index for every filter a queue page uses: no full scan."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.dialects import postgresql, sqlite

from helpdesk import schema
from helpdesk.auth.models import Role, User
from helpdesk.tickets.queries import TicketFilter, list_statement

STAFF = User(id=1, role=Role.SUPERVISOR)
PROVIDER = User(id=2, role=Role.PROVIDER, organisation_id=7)
ENTERPRISE = User(id=3, role=Role.ENTERPRISE, enterprise_id=9)

CASES = [
    # (The unfiltered first page is a walk down the rowid b-tree that stops at the limit.)
    ("everything, deep page", STAFF, TicketFilter(), 700_000),
    ("open queue", STAFF, TicketFilter(status="open"), None),
    ("one status, deep page", STAFF, TicketFilter(status="pending"), 500_000),
    ("organisation queue", STAFF, TicketFilter(organisation_id=7, status="open"), None),
    ("organisation by status", STAFF, TicketFilter(organisation_id=7, status="assigned"), 9_000),
    ("my open tickets", STAFF, TicketFilter(assignee_id=4, status="open"), None),
    ("category", STAFF, TicketFilter(category="finance/guarantee"), None),
    ("district", STAFF, TicketFilter(district="330109"), 42),
    ("provider's own queue", PROVIDER, TicketFilter(status="open"), None),
    ("enterprise's own tickets", ENTERPRISE, TicketFilter(), None),
]


@pytest.fixture(scope="module")
def engine(database_url: str):  # type: ignore[no-untyped-def]
    schema.upgrade(database_url)
    engine = create_engine(database_url)
    yield engine
    engine.dispose()


@pytest.mark.parametrize(("name", "user", "filters", "before"), CASES, ids=[c[0] for c in CASES])
def test_list_query_uses_an_index(engine, name, user, filters, before):
    dialect = sqlite.dialect() if engine.dialect.name == "sqlite" else postgresql.dialect()
    sql = str(
        list_statement(user, filters, before, 51).compile(
            dialect=dialect, compile_kwargs={"literal_binds": True}
        )
    )
    with engine.begin() as connection:
        if connection.dialect.name == "sqlite":
            steps = [row[-1] for row in connection.execute(text("EXPLAIN QUERY PLAN " + sql))]
            assert "SCAN ticket" not in steps, steps  # a bare SCAN is a full table scan
            assert not any("TEMP B-TREE" in step for step in steps), steps  # no sort of all rows
        else:
            # An empty table has no statistics, so only ask whether an index can serve it.
            connection.execute(text("SET LOCAL enable_seqscan = off"))
            plan = [row[0] for row in connection.execute(text("EXPLAIN " + sql))]
            assert not any("Seq Scan on ticket" in line for line in plan), plan
