"""Full-text search over tickets and enterprises, on whichever backend the suite runs
(SQLite FTS5 by default, PostgreSQL with HELPDESK_TEST_DATABASE_URL): the same data gives the
exact same answers asserted here on both, so the two backends agree."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from helpdesk.auth.models import User
from helpdesk.directory.models import Enterprise
from helpdesk.outbox.models import OutboxEntry
from helpdesk.search import inputs, queries
from helpdesk.search.models import DocumentKind, SearchDocument
from helpdesk.search.segment import document_words, query_words
from helpdesk.tickets import service

from .conftest import Platform, Statements


def found(session: Session, user: User, **args: str) -> queries.Results:
    return queries.search(session, user, inputs.parse(args))


def numbers(results: queries.Results) -> list[str]:
    return [hit.ticket.number for hit in results.tickets]


def test_segmentation_finds_rongzi_inside_rongzi_danbao() -> None:
    words = document_words("申请融资担保贷款")
    assert {"融资", "担保", "融资担保"} <= set(words)
    assert query_words("融资担保") == ["融资担保"]  # the user dictionary keeps the domain word
    assert query_words("萧山区商贸流通") == ["萧山区", "商贸流通"]


def test_a_word_inside_a_longer_word_is_found(session: Session, platform: Platform) -> None:
    agent = platform.agent
    by_date = [platform.b_loan.number, platform.a_loan.number]
    assert numbers(found(session, agent, q="融资", order="date")) == by_date
    assert numbers(found(session, agent, q="融资担保", order="date")) == by_date
    assert numbers(found(session, agent, q="担保", order="date")) == [
        platform.a_complaint.number,
        *by_date,
    ]
    assert found(session, agent, q="典当").total == 0


def test_a_provider_finds_only_its_organisations_tickets_and_counts(
    session: Session, platform: Platform
) -> None:
    mine = found(session, platform.provider_a, q="融资担保")
    assert numbers(mine) == [platform.a_loan.number]
    assert mine.total == 1
    assert mine.facets["organisation"] == [(str(platform.org_a.id), 1)]
    assert dict(mine.facets["district"]) == {"330109": 1}  # not org B's 西湖区 ticket
    # A word only org B's ticket holds: nothing, and no count of it anywhere.
    theirs = found(session, platform.provider_a, q="商标注册")
    assert theirs.total == 0 and theirs.tickets == []
    assert all(counts == [] for counts in theirs.facets.values())
    # The other provider, the other way round.
    assert numbers(found(session, platform.provider_b, q="融资担保")) == [platform.b_loan.number]
    assert found(session, platform.provider_b, q="商标注册").total == 1


def test_internal_notes_are_searched_only_for_those_who_may_read_them(
    session: Session, platform: Platform
) -> None:
    assert numbers(found(session, platform.agent, q="征信异常")) == [platform.a_loan.number]
    assert numbers(found(session, platform.provider_a, q="征信异常")) == [platform.a_loan.number]
    assert found(session, platform.ent_user, q="征信异常").total == 0
    # The enterprise finds its ticket by its public words, and its snippet is from them.
    own = found(session, platform.ent_user, q="电话畅通")
    assert numbers(own) == [platform.a_loan.number]
    assert "征信" not in str(own.tickets[0].snippet)
    assert "<mark>畅通</mark>" in str(own.tickets[0].snippet) or "<mark>电话</mark>" in str(
        own.tickets[0].snippet
    )


def test_facets_count_each_value_and_a_filter_narrows_the_others(
    session: Session, platform: Platform
) -> None:
    results = found(session, platform.agent, q="担保")
    assert results.total == 3
    assert dict(results.facets["type"]) == {"request": 2, "complaint": 1}
    assert dict(results.facets["channel"]) == {"portal": 2, "phone": 1}
    assert dict(results.facets["platform"]) == {"finance": 2, "manage": 1}
    assert dict(results.facets["category"]) == {"finance/guarantee": 2, "manage/legal": 1}
    assert dict(results.facets["district"]) == {"330106": 2, "330109": 1}
    assert dict(results.facets["organisation"]) == {
        str(platform.org_a.id): 2,
        str(platform.org_b.id): 1,
    }
    assert dict(results.facets["period"]) == {"today": 3, "week": 3, "month": 3, "year": 3}

    narrowed = found(session, platform.agent, q="担保", district="330106")
    assert narrowed.total == 2
    assert dict(narrowed.facets["district"]) == {"330106": 2, "330109": 1}  # its own: all
    assert dict(narrowed.facets["type"]) == {"request": 1, "complaint": 1}
    only = found(session, platform.agent, q="担保", platform="finance", type="complaint")
    assert numbers(only) == [platform.a_complaint.number]


def test_relevance_order_and_marked_subjects_and_snippets(
    session: Session, platform: Platform
) -> None:
    """Relevance is the backend's own score (bm25, ts_rank), so only the date order is exact
    across backends; both find the same tickets and mark the same words."""
    results = found(session, platform.agent, q="融资担保")
    assert sorted(numbers(results)) == sorted([platform.a_loan.number, platform.b_loan.number])
    hit = next(h for h in results.tickets if h.ticket.id == platform.a_loan.id)
    assert str(hit.subject) == "申请<mark>融资担保</mark>贷款"
    assert "<mark>融资担保</mark>" in str(hit.snippet)
    alone = next(h for h in results.tickets if h.ticket.id == platform.b_loan.id)
    assert alone.snippet is None  # no description or reply holds it: the subject says it


def test_a_change_is_searchable_once_committed_and_never_before(
    session: Session, platform: Platform
) -> None:
    ticket = platform.b_only
    service.comment(session, platform.agent, ticket, "建议向知识产权局申请复审")
    session.rollback()
    assert found(session, platform.agent, q="知识产权").total == 0
    service.comment(session, platform.agent, ticket, "建议向知识产权局申请复审")
    session.commit()
    # Found at once, from the same transaction as the comment: no outbox effect needed.
    assert numbers(found(session, platform.agent, q="知识产权")) == [ticket.number]
    assert session.scalar(select(func.count()).select_from(SearchDocument)) == 5


def test_the_index_is_written_in_the_change_not_by_the_outbox(
    session: Session, platform: Platform
) -> None:
    """Effects may lag behind a commit; the search document does not wait for them."""
    session.add(OutboxEntry(ticket_id=0, number="x", version=1, kind="held", claim="held-by-test"))
    session.commit()
    ticket = service.create(
        session,
        platform.agent,
        service.NewTicket(subject="直播电商培训报名", category="tech/ecommerce", district="330108"),
    )
    session.commit()
    assert numbers(found(session, platform.agent, q="直播电商")) == [ticket.number]


def test_enterprises_are_found_by_staff_and_by_their_own_users_only(
    session: Session, platform: Platform
) -> None:
    staff = found(session, platform.agent, q="湖滨商贸")
    assert [hit.enterprise.id for hit in staff.enterprises] == [platform.enterprise.id]
    assert staff.enterprise_total == 1
    assert found(session, platform.provider_a, q="湖滨商贸").enterprise_total == 0
    assert found(session, platform.ent_user, q="湖滨商贸").enterprise_total == 1


@pytest.mark.parametrize(
    "text",
    [
        '"融资担保"',
        "融资*",
        "融资 NEAR 担保",
        "NEAR(融资 担保)",
        "-融资",
        "public_words:融资",
        "{internal_words}:征信",
        "融资 OR 商标",
        "ＮＥＡＲ　融资担保",  # full-width
        "融资担保 loan AND guarantee",
    ],
)
def test_search_syntax_is_plain_text(session: Session, platform: Platform, text: str) -> None:
    results = found(session, platform.provider_a, q=text)
    assert results.total <= 1  # never org B's ticket, whatever the syntax tries
    assert platform.b_loan.number not in numbers(results)


def test_internal_words_cannot_be_reached_by_a_column_filter(
    session: Session, platform: Platform
) -> None:
    assert found(session, platform.ent_user, q="internal_words:征信异常").total == 0
    assert found(session, platform.ent_user, q="{internal_words} : 征信").total == 0


def test_a_status_change_moves_the_ticket_between_status_facets(
    session: Session, platform: Platform
) -> None:
    """The documents carry the ticket's facets: a change made through the tickets service
    shows in the counts at once."""
    before = found(session, platform.agent, q="商标注册")
    assert dict(before.facets["status"]) == {"assigned": 1}
    service.accept(session, platform.agent, platform.b_only)
    service.start(session, platform.agent, platform.b_only)
    session.commit()
    after = found(session, platform.agent, q="商标注册")
    assert dict(after.facets["status"]) == {"in_progress": 1}
    assert numbers(found(session, platform.agent, q="商标注册", status="in_progress")) == [
        platform.b_only.number
    ]
    assert found(session, platform.agent, q="商标注册", status="assigned").total == 0


def test_a_transferred_ticket_leaves_the_first_providers_search(
    session: Session, platform: Platform
) -> None:
    assert numbers(found(session, platform.provider_b, q="商标注册")) == [platform.b_only.number]
    service.transfer(session, platform.agent, platform.b_only, platform.org_a.id, None, "转办")
    session.commit()
    gone = found(session, platform.provider_b, q="商标注册")
    assert gone.total == 0 and all(counts == [] for counts in gone.facets.values())
    mine = found(session, platform.provider_a, q="商标注册")
    assert numbers(mine) == [platform.b_only.number]
    assert mine.facets["organisation"] == [(str(platform.org_a.id), 1)]


def _facet_updates(statements: Statements) -> list[str]:
    """UPDATEs of a document's facet columns (index.ticket_changed sets them all at once), not
    of its words (a reply's words are appended by their own UPDATE)."""
    return [s for s in statements.document_updates if re.search(r"\bstatus\b", s)]


def test_a_change_that_moves_no_facet_sends_no_document_update(
    session: Session, platform: Platform, statements: Statements
) -> None:
    """A note on the record, a reply, a rating: the status, organisation... stay, so the
    document's facet columns are not written again."""
    ticket = platform.b_only
    service.note(session, platform.agent, ticket, "phone_revealed", {"field": "contact"})
    session.flush()
    assert statements.document_updates == []
    service.comment(session, platform.agent, ticket, "请补充商标注册申请书。")
    session.flush()
    assert _facet_updates(statements) == []
    service.accept(session, platform.agent, ticket)  # the status moves: the facets follow
    session.flush()
    assert len(_facet_updates(statements)) == 1
    session.commit()
    assert dict(found(session, platform.agent, q="商标注册").facets["status"]) == {"accepted": 1}


def test_an_enterprise_merge_moves_the_ticket_to_the_kept_enterprises_search(
    session: Session, platform: Platform, make_enterprise: Callable[..., Enterprise]
) -> None:
    """move_enterprise changes no status, but the enterprise is a facet and a scope."""
    kept = make_enterprise(name="杭州湖滨商贸集团有限公司", district="330109")
    service.move_enterprise(session, platform.agent, platform.a_loan, kept, platform.enterprise)
    session.commit()
    document = session.scalars(
        select(SearchDocument).where(
            SearchDocument.kind == DocumentKind.TICKET,
            SearchDocument.ref_id == platform.a_loan.id,
        )
    ).one()
    assert document.enterprise_id == kept.id
    assert found(session, platform.ent_user, q="融资担保").total == 0


def test_the_scope_words_of_the_index_are_not_searchable(
    session: Session, platform: Platform
) -> None:
    """SQLite's index holds o<organisation id> and e<enterprise id> beside the words (0029), for
    scoping; nobody finds a ticket by them, as on PostgreSQL."""
    for user in (platform.agent, platform.provider_a, platform.ent_user):
        assert found(session, user, q=f"o{platform.org_a.id}").total == 0
        assert found(session, user, q=f"e{platform.enterprise.id}").total == 0
    # The enterprise's own user still finds its ticket through the same index.
    assert numbers(found(session, platform.ent_user, q="融资担保")) == [platform.a_loan.number]
