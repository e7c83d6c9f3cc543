"""The database edge of routing: snapshots in, the engine's decision applied through the tickets
service (the one writer of tickets), its rule and trace kept in the "assigned" event."""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from helpdesk import clock
from helpdesk.auth.models import User
from helpdesk.directory.models import (
    Enterprise,
    Organisation,
    OrgStatus,
    organisation_category,
    organisation_region,
)
from helpdesk.routing import loader
from helpdesk.routing.engine import Decision, RuleSet
from helpdesk.routing.facts import (
    Directory,
    EnterpriseFacts,
    Load,
    MemberFacts,
    OrgFacts,
    TicketFacts,
)
from helpdesk.tickets.models import Ticket, TicketDecline

log = logging.getLogger(__name__)


def directory_snapshot(session: Session) -> Directory:
    """Every organisation with its districts, categories and active people: five small reads."""
    regions: dict[int, set[str]] = defaultdict(set)
    for org_id, code in session.execute(select(organisation_region)):
        regions[org_id].add(code)
    categories: dict[int, set[str]] = defaultdict(set)
    for org_id, code in session.execute(select(organisation_category)):
        categories[org_id].add(code)
    members: dict[int, list[MemberFacts]] = defaultdict(list)
    people = session.execute(
        select(User.id, User.login, User.role, User.skills, User.organisation_id)
        .where(User.active.is_(True), User.organisation_id.is_not(None))
        .order_by(User.id)
    )
    for uid, login, role, skills, org_id in people:
        if org_id is None:  # excluded by the query; narrows the type
            continue
        members[org_id].append(MemberFacts(uid, login, role.value, frozenset(skills or ())))
    orgs = [
        OrgFacts(
            id=org_id,
            slug=slug,
            kind=kind.value,
            active=status is OrgStatus.ACTIVE,
            capacity=capacity,
            regions=frozenset(regions[org_id]),
            categories=frozenset(categories[org_id]),
            members=tuple(members[org_id]),
        )
        for org_id, slug, kind, status, capacity in session.execute(
            select(
                Organisation.id,
                Organisation.slug,
                Organisation.kind,
                Organisation.status,
                Organisation.capacity,
            ).order_by(Organisation.id)
        )
    ]
    return Directory.of(orgs)


def _counts(rows: Any) -> dict[int, int]:
    """id -> number from grouped rows; the queries exclude NULL ids, this tells mypy so."""
    return {key: value for key, value in rows if key is not None}


def load_snapshot(session: Session, enterprise_id: int | None, exclude: int | None = None) -> Load:
    """Open tickets per organisation and person (index-only counts), each person's latest
    ticket (round robin), and who last served this enterprise at each organisation (sticky)."""
    open_by_org = _counts(
        session.execute(
            select(Ticket.assigned_org_id, func.count())
            .where(Ticket.is_open.is_(True), Ticket.assigned_org_id.is_not(None))
            .group_by(Ticket.assigned_org_id)
        ).all()
    )
    open_by_person = _counts(
        session.execute(
            select(Ticket.assignee_id, func.count())
            .where(Ticket.is_open.is_(True), Ticket.assignee_id.is_not(None))
            .group_by(Ticket.assignee_id)
        ).all()
    )
    last_given = _counts(
        session.execute(
            select(Ticket.assignee_id, func.max(Ticket.id))
            .where(Ticket.assignee_id.is_not(None))
            .group_by(Ticket.assignee_id)
        ).all()
    )
    served: dict[int, int] = {}
    if enterprise_id is not None:
        rows = session.execute(
            select(Ticket.assigned_org_id, Ticket.assignee_id)
            .where(
                Ticket.enterprise_id == enterprise_id,
                Ticket.assignee_id.is_not(None),
                Ticket.id != (exclude or 0),
            )
            .order_by(Ticket.id.desc())
            .limit(50)
        )
        for org_id, person_id in rows:
            if org_id is not None and person_id is not None:
                served.setdefault(org_id, person_id)
    return Load(open_by_org, open_by_person, last_given, served)


def ticket_facts(session: Session, ticket: Ticket, at: datetime | None = None) -> TicketFacts:
    enterprise = None
    if ticket.enterprise_id is not None:
        ent = session.get(Enterprise, ticket.enterprise_id)
        if ent is not None:
            enterprise = EnterpriseFacts(
                ent.id,
                ent.industry,
                ent.size.value if ent.size else None,
                frozenset(ent.tags or ()),
            )
    declined = frozenset(
        session.scalars(
            select(TicketDecline.organisation_id).where(TicketDecline.ticket_id == ticket.id)
        )
    )
    return TicketFacts(
        category=ticket.category_code,
        district=ticket.district_code,
        channel=ticket.channel.value,
        at=at or ticket.created_at or clock.now(),
        type=ticket.type.value,
        priority=ticket.priority.value,
        subject=ticket.subject,
        description=ticket.description or "",
        enterprise=enterprise,
        declined=declined,
    )


# The directory changes rarely (a provider suspended, a person moved) but every new ticket needs
# it: keep the snapshot for a few seconds, and drop it at once when this process changes an
# organisation or a person, or when the tables' size tells another process (or a bulk delete)
# did.
DIRECTORY_TTL = 5.0
_directory_cache: dict[str, tuple[float, tuple[int, int, int, int], Directory]] = {}


def _fingerprint(session: Session) -> tuple[int, int, int, int]:
    orgs = session.execute(select(func.count(Organisation.id), func.max(Organisation.id))).one()
    users = session.execute(select(func.count(User.id), func.max(User.id))).one()
    return (orgs[0], orgs[1] or 0, users[0], users[1] or 0)


def cached_directory(session: Session) -> Directory:
    key = str(session.get_bind().engine.url)
    fingerprint = _fingerprint(session)
    cached = _directory_cache.get(key)
    now = time.monotonic()
    if cached is not None and now - cached[0] < DIRECTORY_TTL and cached[1] == fingerprint:
        return cached[2]
    directory = directory_snapshot(session)
    _directory_cache[key] = (now, fingerprint, directory)
    return directory


@event.listens_for(Session, "before_flush")
def _forget_directory(session: Session, flush_context: Any, instances: Any) -> None:
    changed = (*session.new, *session.dirty, *session.deleted)
    if any(isinstance(row, Organisation | User) for row in changed):
        _directory_cache.clear()


def active_rules(session: Session, directory: Directory | None = None) -> RuleSet | None:
    """This process's active rule set, reloaded first if the folder or directory changed."""
    directory = directory or cached_directory(session)
    return loader.source().current(frozenset(directory.organisations))


def decide(session: Session, ticket: Ticket, explain: bool = False) -> Decision | None:
    """What the active rules would do with `ticket` now (nothing is written)."""
    directory = cached_directory(session)
    ruleset = active_rules(session, directory)
    if ruleset is None:
        return None
    load = load_snapshot(session, ticket.enterprise_id, exclude=ticket.id)
    return ruleset.decide(ticket_facts(session, ticket), directory, load, explain=explain)


def route(session: Session, ticket: Ticket) -> Decision | None:
    """Route a NEW ticket by the active rules. With no usable rule set or no service centre the
    ticket stays NEW, in the centre's triage list, and the reason is logged."""
    from helpdesk.tickets import service as tickets

    decision = decide(session, ticket)
    if decision is None:
        log.warning("ticket %s not routed: no routing rules are active", ticket.number)
        return None
    if decision.organisation_id is None:
        log.warning("ticket %s not routed: %s", ticket.number, decision.attempts[-1].outcome)
        return decision
    tickets.assign(
        session,
        None,  # the system routes
        ticket,
        decision.organisation_id,
        decision.person_id,
        rule=decision.rule,
        routing=decision.as_dict(),
    )
    return decision
