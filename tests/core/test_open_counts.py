"""Open tickets per organisation (routing's load figure) are counters the tickets service
keeps; after every kind of change they must agree with a recount of the ticket table."""

from __future__ import annotations

import pytest

from helpdesk.auth.models import Role
from helpdesk.directory.models import OrgKind
from helpdesk.tickets import open_counts, service

RULES = """\
rules:
  - name: finance
    priority: 100
    conditions:
      - {type: category, in: finance/*}
    route:
      to: [bank-a, bank-b]
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
    bank_a, bank_b = make_org(slug="bank-a"), make_org(slug="bank-b")
    use_rules({"rules.yaml": RULES})
    return {
        "centre": centre,
        "bank-a": bank_a,
        "bank-b": bank_b,
        "agent": make_user(Role.AGENT, centre),
        "supervisor": make_user(Role.SUPERVISOR, centre, login="sup"),
        "a1": make_user(Role.PROVIDER, bank_a, login="a1"),
        "b1": make_user(Role.PROVIDER, bank_b, login="b1"),
    }


def agree(session) -> dict[int, int]:  # type: ignore[no-untyped-def]
    counted = open_counts.counters(session)
    assert counted == open_counts.recount(session)
    return counted


def test_counters_follow_create_assign_resolve_reopen_transfer_and_the_rest(
    session, world, make_ticket
):
    agent, a1 = world["agent"], world["a1"]
    centre, bank_a, bank_b = world["centre"].id, world["bank-a"].id, world["bank-b"].id

    routed = [make_ticket(agent) for _ in range(4)]  # the finance rule: bank-a first
    other = make_ticket(agent, category="info/policy")  # the default rule: the centre
    unrouted = make_ticket(agent, route=False)  # NEW, at no organisation yet
    assert agree(session) == {bank_a: 4, centre: 1}

    service.assign(session, agent, unrouted, bank_b)
    session.commit()
    assert agree(session) == {bank_a: 4, bank_b: 1, centre: 1}

    service.accept(session, a1, routed[0])
    service.resolve(session, a1, routed[0], "已办结")
    session.commit()
    assert agree(session) == {bank_a: 3, bank_b: 1, centre: 1}

    service.reopen(session, agent, routed[0], "企业说没有解决")
    session.commit()
    assert agree(session) == {bank_a: 4, bank_b: 1, centre: 1}

    service.transfer(session, agent, routed[1], centre, None, "需要中心协调")
    session.commit()
    assert agree(session) == {bank_a: 3, bank_b: 1, centre: 2}

    service.decline(session, a1, routed[2], "不在服务范围")  # routing: on to bank-b
    session.commit()
    assert agree(session) == {bank_a: 2, bank_b: 2, centre: 2}

    service.cancel(session, world["supervisor"], other, "duplicate")
    service.merge(session, world["supervisor"], routed[3], routed[0].number)
    session.commit()
    assert agree(session) == {bank_a: 1, bank_b: 2, centre: 1}

    service.resolve(session, a1, routed[0], "已办结")
    service.close(session, world["supervisor"], routed[0])
    service.comment(session, agent, unrouted, "已联系企业")  # moves nothing
    session.commit()
    assert agree(session) == {bank_b: 2, centre: 1}


def test_a_change_rolled_back_leaves_the_counters_as_they_were(session, world, make_ticket):
    make_ticket(world["agent"])
    before = agree(session)
    service.create(
        session,
        world["agent"],
        service.NewTicket(subject="x", category="info/policy", district="330109"),
    )
    session.rollback()
    assert agree(session) == before


def test_reset_rebuilds_the_counters_from_a_recount(session, world, make_ticket):
    for _ in range(3):
        make_ticket(world["agent"])
    expected = agree(session)
    open_counts.reset(session)
    session.commit()
    assert open_counts.counters(session) == expected


def test_a_transaction_moves_one_stripe_and_connections_at_once_have_their_own(app, session):
    """All of a transaction's moves go to one row per organisation (no two creations can lock
    the same two rows in opposite orders); two connections in use at once have two rows."""
    from helpdesk.extensions import db

    first = open_counts._stripe(session)
    assert open_counts._stripe(session) == first
    with db.engine.connect() as other_connection:
        from sqlalchemy.orm import Session

        with Session(bind=other_connection) as other:
            assert open_counts._stripe(other) != first
    session.rollback()
