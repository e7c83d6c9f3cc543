"""Routing through the tickets service: on create, after a decline, with the trace kept."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from helpdesk.auth.models import Role
from helpdesk.directory.models import OrgKind, OrgStatus
from helpdesk.routing import queries
from helpdesk.tickets import service
from helpdesk.tickets.models import Priority, Status, TicketEvent

RULES = """\
rules:
  - name: finance
    priority: 100
    conditions:
      - {type: category, in: finance/*}
    route:
      to: [bank-a, bank-b]
      member: sticky
      fallback: [ws-<district>]
    set: {priority: high, tags: [融资], sla_policy: finance}
    notify: [organisation]
  - name: default
    priority: 0
    route: {to: [centre]}
"""


@pytest.fixture
def world(make_org, make_user, make_enterprise, use_rules):  # type: ignore[no-untyped-def]
    every = ("finance", "manage", "info", "market", "tech", "complaint")
    centre = make_org(kind=OrgKind.SERVICE_CENTRE, slug="centre", categories=every)
    bank_a, bank_b = make_org(slug="bank-a"), make_org(slug="bank-b")
    ws = make_org(kind=OrgKind.WORKSTATION, slug="ws-330109", districts=("330109",))
    use_rules({"rules.yaml": RULES})
    return {
        "centre": centre,
        "bank-a": bank_a,
        "bank-b": bank_b,
        "ws": ws,
        "agent": make_user(Role.AGENT, centre),
        "a1": make_user(Role.PROVIDER, bank_a, login="a1"),
        "a2": make_user(Role.PROVIDER, bank_a, login="a2"),
        "b1": make_user(Role.PROVIDER, bank_b, login="b1"),
        "w1": make_user(Role.PROVIDER, ws, login="w1"),
        "enterprise": make_enterprise(),
    }


def assigned_events(session, ticket):  # type: ignore[no-untyped-def]
    return session.scalars(
        select(TicketEvent)
        .where(TicketEvent.ticket_id == ticket.id, TicketEvent.kind == "assigned")
        .order_by(TicketEvent.id)
    ).all()


def test_create_routes_and_records_the_rule_and_trace_in_the_event(session, world, make_ticket):
    ticket = make_ticket(world["agent"])
    assert ticket.status is Status.ASSIGNED
    assert ticket.assigned_org_id == world["bank-a"].id
    assert ticket.assignee_id == world["a1"].id  # nobody served the enterprise: least loaded
    assert (ticket.priority, ticket.tags, ticket.sla_policy) == (Priority.HIGH, ["融资"], "finance")
    (event,) = assigned_events(session, ticket)
    assert event.actor_id is None  # the system routed it
    assert event.data["rule"] == "finance"
    routing = event.data["routing"]
    assert routing["trace"][0] == {
        "rule": "finance",
        "priority": 100,
        "outcome": "matched",
        "reason": "category in finance/*",
    }
    assert routing["notify"] == ["organisation"]
    (record,) = queries.trace_for(ticket, session)
    assert (record.rule, record.organisation, record.person, record.via) == (
        "finance",
        "bank-a",
        "a1",
        "candidate",
    )


def test_a_given_organisation_skips_routing(session, world, make_ticket):
    ticket = make_ticket(world["agent"], organisation_id=world["bank-b"].id)
    assert ticket.assigned_org_id == world["bank-b"].id
    assert "routing" not in assigned_events(session, ticket)[0].data


def test_decline_goes_to_the_next_candidate_then_fallback_then_centre_never_back(
    session, world, make_ticket
):
    ticket = make_ticket(world["agent"])
    path = [ticket.assigned_org_id]
    for org in ("bank-a", "bank-b", "ws"):
        person = {"bank-a": "a1", "bank-b": "b1", "ws": "w1"}[org]
        assert ticket.assigned_org_id == world[org].id
        service.decline(session, world[person], ticket, "不在我们的服务范围")
        session.commit()
        path.append(ticket.assigned_org_id)
    assert path == [world[k].id for k in ("bank-a", "bank-b", "ws", "centre")]
    assert ticket.status is Status.ASSIGNED
    last = queries.trace_for(ticket, session)[-1]
    assert [a["outcome"] for a in last.attempts] == [
        "skipped: already declined this ticket",
        "skipped: already declined this ticket",
        "skipped: already declined this ticket",
        "chosen; the service centre's queue",
    ]


def test_suspended_and_full_providers_are_skipped(session, world, make_ticket, make_enterprise):
    world["bank-a"].status = OrgStatus.SUSPENDED
    session.commit()
    first = make_ticket(world["agent"])
    assert first.assigned_org_id == world["bank-b"].id
    world["bank-b"].capacity = 1  # `first` is its one open ticket
    session.commit()
    second = make_ticket(world["agent"])
    assert second.assigned_org_id == world["ws"].id
    outcomes = [a["outcome"] for a in queries.trace_for(second, session)[-1].attempts]
    assert outcomes[:2] == ["skipped: suspended", "skipped: at capacity (1 open of 1)"]


def test_sticky_dedicated_provider_and_person_from_the_enterprise_tag(
    session, world, make_ticket, make_enterprise
):
    own = make_enterprise(tags=["一对一:bank-b/b1"])
    ticket = make_ticket(world["agent"], enterprise_id=own.id, district=None)
    assert (ticket.assigned_org_id, ticket.assignee_id) == (world["bank-b"].id, world["b1"].id)


def test_sticky_keeps_the_person_who_served_the_enterprise(session, world, make_ticket):
    enterprise = world["enterprise"]
    first = make_ticket(world["agent"], enterprise_id=enterprise.id)
    assert first.assignee_id == world["a1"].id
    service.accept(session, world["a1"], first)
    session.commit()
    # a1 now has more open tickets than a2, but served this enterprise: sticky keeps a1
    again = make_ticket(world["agent"], enterprise_id=enterprise.id)
    assert again.assignee_id == world["a1"].id
    stranger = make_ticket(world["agent"])
    assert stranger.assignee_id == world["a2"].id


def test_a_broken_rule_folder_leaves_new_tickets_new(session, world, make_ticket, use_rules):
    use_rules({"rules.yaml": "rules: [oops"})
    ticket = make_ticket(world["agent"])
    assert ticket.status is Status.NEW and ticket.assigned_org_id is None


def test_rules_naming_an_unknown_organisation_never_become_active(
    session, world, make_ticket, use_rules
):
    use_rules({"rules.yaml": RULES.replace("bank-b", "xiaoshan-ws")})
    ticket = make_ticket(world["agent"])
    assert ticket.status is Status.NEW
    from helpdesk.routing import loader

    status = loader.source().last_error
    assert status is not None
    assert "未知机构 `xiaoshan-ws`" in str(status.errors[0])
