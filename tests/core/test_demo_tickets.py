"""The demo's tickets read as one story: each description tells the ticket's own subject, in
the words of the channel it came by (a chat is not "企业来电反映")."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from helpdesk.demo import seed_demo
from helpdesk.tickets.models import Channel, Ticket

ONE_RULE = "rules:\n  - {name: default, priority: 0, route: {to: [centre]}}\n"
OPENINGS = {
    Channel.PHONE: "来电",
    Channel.CHAT: "在线咨询",
    Channel.PORTAL: "门户",
    Channel.WALK_IN: "来访",
}


def test_each_demo_description_tells_its_own_subject(
    session: Session, use_rules: Callable[..., object]
) -> None:
    use_rules({"rules.yaml": ONE_RULE})
    seed_demo(session, tickets=24)
    session.commit()
    tickets = session.scalars(select(Ticket)).all()
    assert len(tickets) == 24
    for ticket in tickets:
        assert ticket.subject in ticket.description, ticket.number
        assert OPENINGS[ticket.channel] in ticket.description.split("：")[0], ticket.number
