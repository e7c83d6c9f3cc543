"""The database edge of routing: snapshots in, the engine's decision applied through the tickets
service (the one writer of tickets), its rule and trace kept in the "assigned" event."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, event, func, select
from sqlalchemy.orm import Session

from helpdesk import clock, reference_version
from helpdesk.auth.models import User
from helpdesk.directory.models import (
    Enterprise,
    Organisation,
    OrgStatus,
    organisation_category,
    organisation_region,
)
from helpdesk.reference_version import Version
from helpdesk.routing import publish
from helpdesk.routing.engine import Decision, RuleSet
from helpdesk.routing.facts import (
    Directory,
    EnterpriseFacts,
    Load,
    MemberFacts,
    OrgFacts,
    TicketFacts,
)
from helpdesk.tickets import open_counts
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


class _OnDemand(Mapping[int, int]):
    """A load figure read from the database for the ids the engine asks about, and kept for the
    rest of the decision. Asking for one id also reads the ids `together` names with it (the
    other members of a person's organisation) in the same query. Iterating gives the ids read
    so far: the engine only ever calls `get`."""

    def __init__(
        self,
        read: Callable[[tuple[int, ...]], dict[int, int]],
        together: Callable[[int], tuple[int, ...]] | None = None,
    ) -> None:
        self._read = read
        self._together = together
        self._known: dict[int, int | None] = {}

    def _fill(self, key: int) -> None:
        wanted = self._together(key) if self._together else (key,)
        ids = tuple(sorted({key, *wanted} - self._known.keys()))
        found = self._read(ids)
        for i in ids:
            self._known[i] = found.get(i)

    def __getitem__(self, key: int) -> int:
        if key not in self._known:
            self._fill(key)
        value = self._known[key]
        if value is None:
            raise KeyError(key)
        return value

    def __iter__(self) -> Iterator[int]:
        return (k for k, v in self._known.items() if v is not None)

    def __len__(self) -> int:
        return sum(1 for v in self._known.values() if v is not None)


class _ReadOnce(Mapping[int, int]):
    """Figures read in one query on first use: who last served the enterprise at each
    organisation (only the sticky strategy asks), the open-ticket counters."""

    def __init__(self, read: Callable[[], dict[int, int]]) -> None:
        self._read = read
        self._rows: dict[int, int] | None = None

    def _all(self) -> dict[int, int]:
        if self._rows is None:
            self._rows = self._read()
        return self._rows

    def __getitem__(self, key: int) -> int:
        return self._all()[key]

    def __iter__(self) -> Iterator[int]:
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._all())


# The statements routing runs for every new ticket are built once (building one costs more
# than SQLite takes to answer it); the id lists are expanding parameters.


def _latest_to_org(is_open: bool) -> Any:
    return (
        select(func.max(Ticket.id))
        .where(Ticket.assigned_org_id == Organisation.id, Ticket.is_open.is_(is_open))
        .scalar_subquery()
    )


_ORGS_LAST = select(Organisation.id, _latest_to_org(True), _latest_to_org(False)).where(
    Organisation.id.in_(bindparam("ids", expanding=True))
)


def _last_to_org(session: Session, org_ids: tuple[int, ...]) -> dict[int, int]:
    """The latest ticket given to each organisation (round robin over organisations): two
    seeks in ix_ticket_queue (assigned_org_id, is_open, id) each."""
    result: dict[int, int] = {}
    for org_id, last_open, last_closed in session.execute(_ORGS_LAST, {"ids": list(org_ids)}):
        given = [i for i in (last_open, last_closed) if i is not None]
        if given:
            result[org_id] = max(given)
    return result


def _latest_given(is_open: bool) -> Any:
    return (
        select(func.max(Ticket.id))
        .where(Ticket.assignee_id == User.id, Ticket.is_open.is_(is_open))
        .scalar_subquery()
    )


_PEOPLE = select(
    User.id,
    select(func.count())
    .select_from(Ticket)
    .where(Ticket.assignee_id == User.id, Ticket.is_open.is_(True))
    .scalar_subquery(),
    _latest_given(True),
    _latest_given(False),
).where(User.id.in_(bindparam("ids", expanding=True)))


def _people(session: Session, person_ids: tuple[int, ...]) -> dict[int, tuple[int, int | None]]:
    """For each person: open tickets, and the latest ticket ever given to them (round robin).
    Each figure is a seek in ix_ticket_assignee (assignee_id, is_open, id), so the cost does
    not grow with the open or closed tickets of everyone else, nor with a person's history."""
    rows = session.execute(_PEOPLE, {"ids": list(person_ids)})
    result: dict[int, tuple[int, int | None]] = {}
    for person_id, count, last_open, last_closed in rows:
        given = [i for i in (last_open, last_closed) if i is not None]
        result[person_id] = (count, max(given) if given else None)
    return result


def load_snapshot(
    session: Session,
    enterprise_id: int | None,
    exclude: int | None = None,
    directory: Directory | None = None,
) -> Load:
    """Open tickets per organisation and person, each person's latest ticket (round robin), and
    who last served this enterprise at each organisation (sticky).

    Read on demand, for the organisations and people the decision looks at: an organisation's
    count when it is tried, a person's figures (with those of the rest of their organisation,
    from `directory`) when a member is picked. So routing costs the same with 100 or 100,000
    open tickets. The figures are read when first asked for, during the decision."""
    colleagues = directory.colleagues if directory is not None else {}
    people: dict[int, tuple[int, int | None]] = {}

    def person_figure(index: int) -> Callable[[tuple[int, ...]], dict[int, int]]:
        def read(ids: tuple[int, ...]) -> dict[int, int]:
            missing = tuple(i for i in ids if i not in people)
            if missing:
                found = _people(session, missing)
                for i in missing:
                    people[i] = found.get(i, (0, None))
            figures = ((i, people[i][index]) for i in ids)
            return {i: value for i, value in figures if value is not None}

        return read

    def together(person_id: int) -> tuple[int, ...]:
        return colleagues.get(person_id, (person_id,))

    def served() -> dict[int, int]:
        result: dict[int, int] = {}
        if enterprise_id is None:
            return result
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
                result.setdefault(org_id, person_id)
        return result

    return Load(
        # Open tickets at each organisation: its counter, whatever its backlog. Every
        # organisation's at once, by a GROUP BY with no list of ids: the list, an expanding
        # parameter, cost more to build than the read (bench/api_create.py --sample).
        open_by_org=_ReadOnce(lambda: open_counts.counters(session)),
        open_by_person=_OnDemand(person_figure(0), together),
        last_given=_OnDemand(person_figure(1), together),
        served_enterprise=_ReadOnce(served),
        last_to_org=_OnDemand(lambda ids: _last_to_org(session, ids)),
    )


def enterprise_facts(ent: Enterprise) -> EnterpriseFacts:
    return EnterpriseFacts(
        ent.id, ent.industry, ent.size.value if ent.size else None, frozenset(ent.tags or ())
    )


def ticket_facts(
    session: Session, ticket: Ticket, at: datetime | None = None, new: bool = False
) -> TicketFacts:
    """`new`: the ticket was created in this transaction, so no organisation declined it."""
    enterprise = None
    if ticket.enterprise_id is not None:
        ent = session.get(Enterprise, ticket.enterprise_id)
        if ent is not None:
            enterprise = enterprise_facts(ent)
    declined: frozenset[int] = frozenset()
    if not new:
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
# it: keep the snapshot while the organisations' and people's version (helpdesk.reference_version,
# read at most every CHECK_EVERY) stays the same, and drop it at once when this process changes an
# organisation or a person. An organisation suspended in one web process is skipped by the
# tickets another routes within reference_version.CHECK_EVERY.
_directory_cache: dict[Any, tuple[Version, Directory]] = {}


def cached_directory(session: Session) -> Directory:
    key = reference_version.database(session)
    version = reference_version.of(session, "organisations", "users")
    cached = _directory_cache.get(key)
    if cached is not None and cached[0] == version:
        return cached[1]
    directory = directory_snapshot(session)
    _directory_cache[key] = (version, directory)
    return directory


@event.listens_for(Session, "before_flush")
def _forget_directory(session: Session, flush_context: Any, instances: Any) -> None:
    changed = (*session.new, *session.dirty, *session.deleted)
    if any(isinstance(row, Organisation | User) for row in changed):
        reference_version.forget()


def active_rules(session: Session, directory: Directory | None = None) -> RuleSet | None:
    """This process's active rule set: the newest published version (routing/publish.py), else
    the configured folder; reloaded first if the version, folder or directory changed."""
    directory = directory or cached_directory(session)
    return publish.active_source(session).current(frozenset(directory.organisations))


def decide(
    session: Session, ticket: Ticket, explain: bool = False, new: bool = False
) -> Decision | None:
    """What the active rules would do with `ticket` now (nothing is written). `new`: created
    in this transaction (nobody declined it yet)."""
    directory = cached_directory(session)
    ruleset = active_rules(session, directory)
    if ruleset is None:
        return None
    load = load_snapshot(session, ticket.enterprise_id, exclude=ticket.id, directory=directory)
    facts = ticket_facts(session, ticket, new=new)
    return ruleset.decide(facts, directory, load, explain=explain)


def decide_to_route(session: Session, ticket: Ticket, new: bool = False) -> Decision | None:
    """The active rules' decision for `ticket`, for the tickets service to apply
    (tickets.service.apply_routing). With no usable rule set or no service centre the ticket
    stays where it is (a new one NEW, in the centre's triage list), and the reason is
    logged."""
    decision = decide(session, ticket, new=new)
    if decision is None:
        log.warning("ticket %s not routed: no routing rules are active", ticket.number)
    elif decision.organisation_id is None:
        log.warning("ticket %s not routed: %s", ticket.number, decision.attempts[-1].outcome)
    return decision


def route(session: Session, ticket: Ticket) -> Decision | None:
    """Route a ticket by the active rules: routing decides, the tickets service applies."""
    from helpdesk.tickets import service as tickets  # it imports this module

    decision = decide_to_route(session, ticket)
    tickets.apply_routing(session, ticket, decision)
    return decision
