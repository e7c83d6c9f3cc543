"""A staff search for words the newest tickets hold often walks PostgreSQL's narrow copy of
the documents (search_walk, migration 0031): what it finds must follow every change of a
ticket as the documents do. On SQLite the same answers come from FTS5 (nothing to keep)."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, event
from sqlalchemy.orm import Session

from helpdesk.search import backends, inputs, queries
from helpdesk.search.models import DocumentKind, SearchDocument
from helpdesk.tickets import service

from .conftest import Platform, Statements

WALKED = "ts_match_vq(search_walk.all_tsv"  # backends._walked's statement


def found(session: Session, platform: Platform, **args: str) -> queries.Results:
    """The agent's search; on PostgreSQL, through the walk (not the GIN index's fallback)."""
    engine = session.get_bind()
    sent = Statements()
    event.listen(engine, "before_cursor_execute", sent)
    try:
        results = queries.search(session, platform.agent, inputs.parse(args))
    finally:
        event.remove(engine, "before_cursor_execute", sent)
    if engine.dialect.name == "postgresql":
        assert any(WALKED in s for s in sent.sent), args
    return results


def numbers(results: queries.Results) -> list[str]:
    return [hit.ticket.number for hit in results.tickets]


@pytest.fixture(autouse=True)
def walked(monkeypatch: pytest.MonkeyPatch) -> None:
    # The platform's few tickets as the "newest" ones held often (backends._share), against
    # a CAP to scale: walked.
    monkeypatch.setattr(queries, "CAP", 10)
    monkeypatch.setattr(backends, "RECENT", 12)
    monkeypatch.setattr(backends, "PROBE", 4)


def test_the_walk_follows_new_words_status_and_removal(
    session: Session, platform: Platform
) -> None:
    loans = found(session, platform, q="融资 担保")
    assert sorted(numbers(loans)) == sorted([platform.a_loan.number, platform.b_loan.number])
    # Internal notes: staff find them through the walk too.
    assert numbers(found(session, platform, q="融资 征信")) == [platform.a_loan.number]

    # A reply's words (an ORM flush of the document) and a status change (a Core UPDATE).
    service.comment(session, platform.agent, platform.b_loan, "融资担保费率已经下调，请查收。")
    service.accept(session, platform.agent, platform.b_loan)
    session.commit()
    after = found(session, platform, q="融资 下调")
    assert numbers(after) == [platform.b_loan.number]
    assert dict(after.facets["status"]) == {"accepted": 1}
    assert numbers(found(session, platform, q="融资 担保", status="accepted")) == [
        platform.b_loan.number
    ]

    # Relevance from the walk: the reply made b_loan hold 融资 and 担保 more often per word.
    ranked = found(session, platform, q="融资 担保")
    assert numbers(ranked)[0] == platform.b_loan.number
    by_date = found(session, platform, q="融资 担保", order="date")
    assert numbers(by_date)[0] == platform.b_loan.number  # the newer of the two

    # A ticket new in this transaction's commit is found at once.
    ticket = service.create(
        session,
        platform.agent,
        service.NewTicket(subject="融资担保额度申请", category="tech/ecommerce", district="330108"),
    )
    session.commit()
    assert ticket.number in numbers(found(session, platform, q="融资 额度"))

    # A document removed: its ticket is no longer found, nor counted.
    session.execute(
        delete(SearchDocument).where(
            SearchDocument.kind == DocumentKind.TICKET, SearchDocument.ref_id == ticket.id
        )
    )
    session.commit()
    gone = queries.search(session, platform.agent, inputs.parse({"q": "融资 额度"}))
    assert gone.total == 0 and all(counts == [] for counts in gone.facets.values())
