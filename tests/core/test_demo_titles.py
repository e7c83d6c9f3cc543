"""The demo's ticket titles fit their service category (the walk of 2026-12-04: titles were per
area, so a 典当 ticket read 需要融资租赁冷链设备), and the same seed gives the same tickets."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from helpdesk.demo import CATEGORY_SUBJECTS, seed_demo
from helpdesk.tickets.models import Ticket

ONE_RULE = "rules:\n  - {name: default, priority: 0, route: {to: [centre]}}\n"


def test_every_catalogue_entry_has_titles_of_its_own() -> None:
    from helpdesk.directory.reference import CATALOGUE

    codes = {f"{top}/{child}" for top, _zh, _en, children in CATALOGUE for child, *_ in children}
    assert set(CATEGORY_SUBJECTS) == codes
    titles = [t for ts in CATEGORY_SUBJECTS.values() for t in ts]
    assert len(titles) == len(set(titles))  # no title in two categories


def test_demo_tickets_are_titled_for_their_category(
    session: Session, use_rules: Callable[..., object]
) -> None:
    use_rules({"rules.yaml": ONE_RULE})
    seed_demo(session, tickets=40)
    session.commit()
    tickets = session.scalars(select(Ticket).order_by(Ticket.id)).all()
    assert len(tickets) == 40
    for ticket in tickets:
        assert ticket.subject in CATEGORY_SUBJECTS[ticket.category_code], ticket.category_code
        assert ticket.subject in (ticket.description or "")
