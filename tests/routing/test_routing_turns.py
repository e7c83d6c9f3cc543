"""Routing that does what the rule says: round robin takes a rule's organisations in turn (and
their people in turn), and what no rule or organisation takes waits in the service centre's
queue, never on the system administrator's account."""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import select

from helpdesk.auth.models import Role
from helpdesk.channels.chat import service as chat
from helpdesk.directory.models import Organisation, OrgKind
from helpdesk.errors import Forbidden
from helpdesk.tickets import service
from helpdesk.tickets.models import Ticket, TicketEvent

RULES = """\
rules:
  - name: legal
    priority: 500
    conditions:
      - {type: category, in: manage/legal}
    route:
      to: [firm-a, firm-b, firm-c]
      member: round_robin
      fallback: [centre]
  - name: district-workstations
    priority: 100
    conditions:
      - {type: category, in: [info/*, market/*, tech/*, manage/*]}
    route:
      to: [ws-<district>]
      member: least_loaded
      fallback: [centre]
  - name: default
    priority: 0
    route: {to: [centre]}
"""


@pytest.fixture
def world(make_org, make_user, use_rules):  # type: ignore[no-untyped-def]
    every = ("finance", "manage", "info", "market", "tech", "complaint")
    centre = make_org(kind=OrgKind.SERVICE_CENTRE, slug="centre", categories=every)
    admin = make_user(Role.ADMIN, centre, login="admin")  # first, so the least loaded by id
    agent = make_user(Role.AGENT, centre, login="agent")
    make_org(kind=OrgKind.WORKSTATION, slug="ws-330106", districts=("330106",), categories=every)
    firms = [make_org(slug=f"firm-{x}", categories=("manage",)) for x in "abc"]
    people = {
        "firm-a": [make_user(Role.PROVIDER, firms[0], login=f"a{i}") for i in (1, 2, 3)],
        "firm-b": [make_user(Role.PROVIDER, firms[1], login=f"b{i}") for i in (1, 2)],
        "firm-c": [make_user(Role.PROVIDER, firms[2], login="c1")],
    }
    use_rules({"rules.yaml": RULES})
    return {"centre": centre, "admin": admin, "agent": agent, "people": people}


def _legal(session, n: int) -> Ticket:  # type: ignore[no-untyped-def]
    data = service.NewTicket(subject=f"合同纠纷咨询{n}", category="manage/legal", district="330106")
    ticket = service.create(session, None, data)
    session.commit()
    return ticket


def test_three_firms_and_nine_tickets_take_turns(session, world) -> None:  # type: ignore[no-untyped-def]
    tickets = [_legal(session, n) for n in range(9)]
    slugs = {o.id: o.slug for o in session.scalars(select(Organisation))}
    firms = [slugs[t.assigned_org_id] for t in tickets]
    assert firms == ["firm-a", "firm-b", "firm-c"] * 3
    logins = {u.id: u.login for group in world["people"].values() for u in group}
    people = [logins[t.assignee_id] for t in tickets]
    # inside each firm its people in turn: a1 a2 a3 | b1 b2 b1 | c1 c1 c1
    assert people[0::3] == ["a1", "a2", "a3"]
    assert people[1::3] == ["b1", "b2", "b1"]
    assert people[2::3] == ["c1", "c1", "c1"]
    assert Counter(firms) == {"firm-a": 3, "firm-b": 3, "firm-c": 3}


def test_two_legal_tickets_go_to_two_firms(session, world) -> None:  # type: ignore[no-untyped-def]
    first = _legal(session, 0)
    second = _legal(session, 1)
    assert first.assigned_org_id != second.assigned_org_id


def test_a_chat_message_nobody_routes_waits_in_the_centre_queue_not_on_the_admin(
    session, world
) -> None:  # type: ignore[no-untyped-def]
    """A city-wide chat 留言 (no workstation for 330100) falls back to the centre: its queue."""
    visitor = chat.Visitor("访客", "13957100001", "info/policy", "请问小微企业补贴怎么申请？")
    ticket = chat.leave_message(session, visitor, None)
    session.commit()
    assert ticket.assigned_org_id == world["centre"].id
    assert ticket.assignee_id is None


def test_no_strategy_picks_the_admin_account(session, world, use_rules) -> None:  # type: ignore[no-untyped-def]
    use_rules(
        {
            "rules.yaml": """\
            rules:
              - name: default
                priority: 0
                route: {to: [centre], member: least_loaded}
            """,
        }
    )
    for n in range(3):
        ticket = service.create(
            session,
            None,
            service.NewTicket(subject=f"政策咨询{n}", category="info/policy", district="330106"),
        )
        session.commit()
        assert ticket.assignee_id == world["agent"].id


def _assigned_orgs(session, ticket) -> list[int | None]:  # type: ignore[no-untyped-def]
    events = session.scalars(
        select(TicketEvent).where(TicketEvent.ticket_id == ticket.id).order_by(TicketEvent.id)
    )
    return [e.kind for e in events]


def test_a_chat_answered_by_the_centre_never_visits_a_provider(session, world) -> None:  # type: ignore[no-untyped-def]
    visitor = chat.Visitor("访客", "13957100002", "manage/legal", "合同对方违约怎么办？")
    conversation, _ = chat.start(session, visitor, None)
    session.commit()
    ticket = conversation.ticket
    assert ticket.assigned_org_id is None  # waiting for the centre, not at a law firm
    chat.accept(session, world["agent"], conversation, max_chats=3)
    session.commit()
    assert (ticket.assigned_org_id, ticket.assignee_id) == (
        world["centre"].id,
        world["agent"].id,
    )
    assert "transferred" not in _assigned_orgs(session, ticket)  # nothing pulled back
    firms = {u.organisation_id for group in world["people"].values() for u in group}
    chat.transfer(session, world["agent"], conversation, None, min(firms), "请律所跟进")
    session.commit()
    assert ticket.assigned_org_id == min(firms)  # routed when the agent transfers it


def test_a_chat_nobody_answered_is_routed_by_the_rules_when_it_ends(session, world) -> None:  # type: ignore[no-untyped-def]
    visitor = chat.Visitor("访客", "13957100003", "manage/legal", "劳动合同纠纷")
    conversation, _ = chat.start(session, visitor, None)
    session.commit()
    chat.end(session, None, conversation)
    session.commit()
    slugs = {o.id: o.slug for o in session.scalars(select(Organisation))}
    assert slugs[conversation.ticket.assigned_org_id] == "firm-a"


def test_a_chat_the_agent_files_goes_where_the_rules_say_only_when_it_ends(session, world) -> None:  # type: ignore[no-untyped-def]
    """转为工单: while the centre's agent answers, no provider has the ticket; ending with
    'file' hands it to the firm the rules name, once (it never arrives and then vanishes)."""
    visitor = chat.Visitor("访客", "13957100004", "manage/legal", "股权转让协议怎么写？")
    conversation, _ = chat.start(session, visitor, None)
    session.commit()
    chat.accept(session, world["agent"], conversation, max_chats=3)
    session.commit()
    ticket = conversation.ticket
    assert ticket.assigned_org_id == world["centre"].id
    with pytest.raises(Forbidden):  # someone else's chat is not theirs to file
        chat.end(session, world["admin"], conversation, file=True)
    chat.end(session, world["agent"], conversation, file=True)
    session.commit()
    slugs = {o.id: o.slug for o in session.scalars(select(Organisation))}
    assert slugs[ticket.assigned_org_id] == "firm-a"
    assert ticket.assignee_id == world["people"]["firm-a"][0].id
    firms = {u.organisation_id for group in world["people"].values() for u in group}
    moves = [
        e.data
        for e in session.scalars(select(TicketEvent).where(TicketEvent.ticket_id == ticket.id))
        if e.kind == "transferred"
    ]
    assert [m["to"]["organisation_id"] for m in moves] == [ticket.assigned_org_id]  # once
    assert "转为工单" in moves[0]["reason"]
    assert ticket.assigned_org_id in firms


def test_a_chat_ended_without_filing_stays_with_the_centre(session, world) -> None:  # type: ignore[no-untyped-def]
    visitor = chat.Visitor("访客", "13957100005", "manage/legal", "合同审查")
    conversation, _ = chat.start(session, visitor, None)
    session.commit()
    chat.accept(session, world["agent"], conversation, max_chats=3)
    chat.end(session, world["agent"], conversation)
    session.commit()
    assert conversation.ticket.assigned_org_id == world["centre"].id
