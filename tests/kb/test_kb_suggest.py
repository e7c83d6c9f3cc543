"""Guides suggested while an enterprise types its need: about what it asks, not how it asks,
the guide holding the most of its words first."""

from __future__ import annotations

from sqlalchemy.orm import Session

from helpdesk.kb import queries

from .conftest import Guides, publish


def _titles(session: Session, guides: Guides, text: str) -> list[str]:
    return [v.title for v in queries.suggest(session, guides.ent_user, text)]


def test_a_guide_holding_more_of_the_words_comes_first(session: Session, guides: Guides) -> None:
    # Short, and holding 材料 twice: the densest match, but about something else.
    publish(
        session,
        guides.agent,
        guides.supervisor,
        title="展位费补贴所需材料",
        body="所需材料：参展合同。",
        category="market/exhibition",
    )
    found = _titles(session, guides, "企业融资贷款需要准备什么材料")
    assert found[0] == "小微企业融资担保贷款申请指南", found


def test_question_words_alone_suggest_nothing(session: Session, guides: Guides) -> None:
    publish(
        session,
        guides.agent,
        guides.supervisor,
        title="冷链设备融资租赁怎么办",
        body="生鲜企业购置冷库，可以选择融资租赁。",
        category="finance",
    )
    assert _titles(session, guides, "出口退税怎么办") == []
    assert _titles(session, guides, "冷链设备怎么办") == ["冷链设备融资租赁怎么办"]
