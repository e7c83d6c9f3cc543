"""Replaying past tickets through draft rules: how many would go elsewhere, from where to
where, with examples. `helpdesk rules simulate` and the rules editor share it. Today's
directory and load are used for every ticket (what the draft would do now)."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from helpdesk import clock
from helpdesk.directory.models import Enterprise
from helpdesk.routing import service
from helpdesk.routing.engine import RuleSet
from helpdesk.routing.facts import Load
from helpdesk.tickets.models import Ticket, TicketDecline, TicketEvent

NOT_ROUTED = "(not routed)"
EXAMPLES = 3  # ticket numbers kept per move


@dataclass
class Replay:
    since: datetime
    tickets: int = 0
    moves: Counter[tuple[str, str]] = field(default_factory=Counter)
    examples: dict[tuple[str, str], list[str]] = field(default_factory=lambda: defaultdict(list))
    by_rule: Counter[str] = field(default_factory=Counter)

    @property
    def moved(self) -> int:
        return sum(self.moves.values())


def parse_since(text: str) -> timedelta | None:
    """ "30d" or "12h" (a bare number is days); None when it is neither."""
    found = re.fullmatch(r"(\d{1,4})([dh]?)", text.strip())
    if not found:
        return None
    amount = int(found.group(1))
    return timedelta(hours=amount) if found.group(2) == "h" else timedelta(days=amount)


def replay(session: Session, draft: RuleSet, delta: timedelta) -> Replay:
    """Where each ticket created in the last `delta` went first, and where `draft` sends it."""
    directory = service.directory_snapshot(session)
    slugs = {o.id: o.slug for o in directory.organisations.values()}
    start = clock.now() - delta
    result = Replay(since=start)
    first: dict[int, int] = {}
    for ticket_id, data in session.execute(
        select(TicketEvent.ticket_id, TicketEvent.data)
        .where(TicketEvent.kind == "assigned", TicketEvent.at >= start)
        .order_by(TicketEvent.id)
    ):
        org_id = (data or {}).get("organisation_id")
        if org_id is not None:
            first.setdefault(ticket_id, org_id)
    tickets = session.scalars(
        select(Ticket).where(Ticket.created_at >= start).order_by(Ticket.id)
    ).all()
    # a few set-wise reads instead of several per ticket (100,000 tickets in seconds): the
    # enterprises land in the identity map, so ticket_facts reads none; declines in one go;
    # one load snapshot per enterprise (today's load: what the draft would do now)
    in_range = select(Ticket.id).where(Ticket.created_at >= start)
    session.scalars(
        select(Enterprise).where(
            Enterprise.id.in_(select(Ticket.enterprise_id).where(Ticket.created_at >= start))
        )
    ).all()
    declined: dict[int, set[int]] = defaultdict(set)
    for ticket_id, org_id in session.execute(
        select(TicketDecline.ticket_id, TicketDecline.organisation_id).where(
            TicketDecline.ticket_id.in_(in_range)
        )
    ):
        declined[ticket_id].add(org_id)
    loads: dict[int | None, Load] = {}
    for ticket in tickets:
        facts = service.ticket_facts(session, ticket, new=True)
        if ticket.id in declined:
            facts = replace(facts, declined=frozenset(declined[ticket.id]))
        load = loads.get(ticket.enterprise_id)
        if load is None:
            load = loads[ticket.enterprise_id] = service.load_snapshot(
                session, ticket.enterprise_id, directory=directory
            )
        decision = draft.decide(facts, directory, load)
        result.tickets += 1
        result.by_rule[decision.rule or "-"] += 1
        before = slugs.get(first.get(ticket.id) or 0, NOT_ROUTED)
        after = decision.organisation or NOT_ROUTED
        if before != after:
            result.moves[(before, after)] += 1
            if len(result.examples[(before, after)]) < EXAMPLES:
                result.examples[(before, after)].append(ticket.number)
    return result
