"""What one ticket created through the API costs in SQL statements (issue 17: CPU per ticket).

bench/api_create.py --statements counts the same on the benchmark's path; this holds the count
of a creation sent to a person (the routed path's shape) so a regression fails here first.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator

import pytest
from sqlalchemy import event
from sqlalchemy.orm import Session

from .support import World

# Contact look-up, number, ticket, open counter, events, SLA row, SLA stages, outbox entry,
# search document (on PostgreSQL the number runs on its own short connection: also counted).
LIMIT = 9
TABLE = re.compile(r'\b(?:FROM|INTO|UPDATE)\s+"?(\w+)', re.IGNORECASE)


class Statements(Counter[str]):
    """The statements sent from start() until a transaction commits: the request's own (the
    outbox dispatcher, which the tests run inline after the commit, is not counted)."""

    counting = False

    def start(self) -> None:
        self.clear()
        self.counting = True

    def sent(self, conn, cursor, sql, params, context, many) -> None:  # type: ignore[no-untyped-def]
        if self.counting:
            table = TABLE.search(sql)
            self[f"{sql.split()[0].upper()} {table.group(1) if table else ''}"] += 1

    def committed(self, conn) -> None:  # type: ignore[no-untyped-def]
        self.counting = False


@pytest.fixture
def statements(session: Session) -> Iterator[Statements]:
    engine = session.get_bind().engine
    seen = Statements()
    event.listen(engine, "before_cursor_execute", seen.sent)
    event.listen(engine, "commit", seen.committed)
    yield seen
    event.remove(engine, "before_cursor_execute", seen.sent)
    event.remove(engine, "commit", seen.committed)


def test_a_ticket_sent_to_a_person_reads_neither_the_person_nor_the_token_user(
    api_as, world: World, statements: Statements
) -> None:
    api = api_as(world.agent)
    body = {
        "subject": "咨询担保贷款额度",
        "category": "finance/guarantee",
        "channel": "phone",
        "district": "330109",
        "contact_phone": "13800138000",
        "organisation_id": world.org_a.id,
        "assignee_id": world.provider_a.id,
    }
    person = world.provider_a.id
    assert api.post("/tickets", body).status_code == 201  # the caches fill here
    statements.start()
    response = api.post("/tickets", body)
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["assignee"]["id"] == person
    sent = {k: v for k, v in statements.items() if k.split()[0] not in ("BEGIN", "COMMIT")}
    assert "SELECT user_account" not in sent, sent
    assert sum(sent.values()) <= LIMIT, sent
