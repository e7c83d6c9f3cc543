"""Replaying past tickets through draft rules: how many would go elsewhere, from where to
where, with examples. `helpdesk rules simulate` and the rules editor share it. Today's
directory and load are used for every ticket (what the draft would do now)."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from helpdesk import clock
from helpdesk.directory.models import Enterprise
from helpdesk.routing import service
from helpdesk.routing.engine import RuleSet
from helpdesk.routing.facts import Load, TicketFacts
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
    # set-wise reads, not several per ticket, and plain rows, not ORM objects (100,000 tickets
    # in seconds): the enterprises, the declines, one load snapshot per enterprise (today's
    # load: what the draft would do now); the facts as routing.service.ticket_facts makes them
    in_range = Ticket.created_at >= start
    enterprises = {
        e.id: service.enterprise_facts(e)
        for e in session.scalars(
            select(Enterprise).where(
                Enterprise.id.in_(select(Ticket.enterprise_id).where(in_range))
            )
        )
    }
    declined: dict[int, set[int]] = defaultdict(set)
    for ticket_id, org_id in session.execute(
        select(TicketDecline.ticket_id, TicketDecline.organisation_id).where(
            TicketDecline.ticket_id.in_(select(Ticket.id).where(in_range))
        )
    ):
        declined[ticket_id].add(org_id)
    loads: dict[int | None, Load] = {}
    rows = session.execute(
        select(
            Ticket.id, Ticket.number, Ticket.category_code, Ticket.district_code, Ticket.channel,
            Ticket.created_at, Ticket.type, Ticket.priority, Ticket.subject, Ticket.description,
            Ticket.enterprise_id,
        ).where(in_range).order_by(Ticket.id)
    )  # fmt: skip
    for row in rows:
        facts = TicketFacts(
            category=row.category_code,
            district=row.district_code,
            channel=row.channel.value,
            at=row.created_at,
            type=row.type.value,
            priority=row.priority.value,
            subject=row.subject,
            description=row.description or "",
            enterprise=enterprises.get(row.enterprise_id or 0),
            declined=frozenset(declined.get(row.id, ())),
        )
        load = loads.get(row.enterprise_id)
        if load is None:
            load = loads[row.enterprise_id] = service.load_snapshot(
                session, row.enterprise_id, directory=directory
            )
        decision = draft.decide(facts, directory, load)
        result.tickets += 1
        result.by_rule[decision.rule or "-"] += 1
        before = slugs.get(first.get(row.id) or 0, NOT_ROUTED)
        after = decision.organisation or NOT_ROUTED
        if before != after:
            result.moves[(before, after)] += 1
            if len(result.examples[(before, after)]) < EXAMPLES:
                result.examples[(before, after)].append(row.number)
    return result
