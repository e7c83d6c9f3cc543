"""One full-text match per search, whatever the facets and filters; above queries.CAP matches
the counts are among the newest CAP and say so (约 …+) on the page and in the API. Runs on
whichever backend the suite uses (SQLite FTS5, or PostgreSQL with HELPDESK_TEST_DATABASE_URL).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from helpdesk.auth.models import ApiToken, User
from helpdesk.auth.passwords import new_token
from helpdesk.search import inputs, queries

from .conftest import Platform, Statements


def _sent(session: Session, statements: Statements, user: User, **args: str) -> tuple[int, int]:
    session.expire_all()  # nothing from an earlier search answered from the session
    statements.sent.clear()
    queries.search(session, user, inputs.parse(args))
    return len(statements.sent), len(statements.full_text)


def test_statements_per_search_do_not_grow_with_facets_or_filters(
    session: Session,
    platform: Platform,
    statements: Statements,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for user in (platform.agent, platform.provider_a):
        plain = _sent(session, statements, user, q="担保")
        filtered = _sent(
            session,
            statements,
            user,
            q="担保",
            type="request",
            status="assigned",
            district="330109",
            period="year",
            order="date",
        )
        monkeypatch.setattr(queries, "FACETS", ("type",))
        one_facet = _sent(session, statements, user, q="担保")
        monkeypatch.undo()
        assert plain[0] == filtered[0] == one_facet[0], user.role
        # The tickets' match once (and, for staff, the enterprises' once): not per facet.
        assert plain[1] == filtered[1] == one_facet[1] == (2 if user is platform.agent else 1)
        assert plain[0] <= 12


@pytest.fixture
def api_get(client: FlaskClient, session: Session) -> Callable[..., Any]:
    def get(user: User, **query: str) -> Any:
        raw, digest = new_token()
        session.add(ApiToken(user_id=user.id, name="test", token_hash=digest, revoked=False))
        session.commit()
        response = client.get(
            "/api/v1/search", query_string=query, headers={"Authorization": f"Bearer {raw}"}
        )
        assert response.status_code == 200, response.get_data(as_text=True)
        return response.get_json()

    return get


def test_above_the_cap_the_newest_are_counted_and_labelled_approximate(
    session: Session,
    platform: Platform,
    client: FlaskClient,
    suite_login: Callable[..., None],
    api_get: Callable[..., Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    whole = queries.search(session, platform.agent, inputs.parse({"q": "担保"}))
    assert (whole.total, whole.approximate) == (3, False)
    monkeypatch.setattr(queries, "CAP", 2)
    capped = queries.search(session, platform.agent, inputs.parse({"q": "担保", "order": "date"}))
    assert capped.approximate and capped.total == 2
    # The newest two of the three, and every facet counts those two only.
    assert [h.ticket.number for h in capped.tickets] == [
        platform.a_complaint.number,
        platform.b_loan.number,
    ]
    assert sum(count for _value, count in capped.facets["type"]) == 2
    # A filter narrows the two read: the complaint is the only one left.
    complaint = queries.search(
        session, platform.agent, inputs.parse({"q": "担保", "type": "complaint"})
    )
    assert complaint.approximate and complaint.total == 1

    body = api_get(platform.agent, q="担保")
    assert body["approximate"] is True and body["total"] == 2
    assert body["total_label"] in ("约 2+", "about 2+")
    suite_login(client, platform.agent)
    html = client.get("/search", query_string={"q": "担保"}).get_data(as_text=True)
    visible = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    assert "找到约 2+ 个工单" in visible
    assert "数量按最新的 2 个统计，为近似值" in visible
    assert "约 1" in visible  # facet counts say they are approximate too

    monkeypatch.undo()
    body = api_get(platform.agent, q="担保")
    assert body["approximate"] is False and body["total_label"] == "3"
    html = client.get("/search", query_string={"q": "担保"}).get_data(as_text=True)
    assert "找到 3 个工单" in html and "近似值" not in html
