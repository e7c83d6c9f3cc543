"""The only code that writes tickets.

Every function changes the ticket, and writes in the same transaction its TicketEvent (the
audit trail), the SLA clock's rows (helpdesk.sla.service.record) and an outbox entry (the
after-commit effects: consoles told, SLA timer booked, seal requested; see helpdesk.outbox),
and bumps the version. The caller (request, job, CLI
command) commits once at its boundary.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any, NamedTuple, cast
from weakref import WeakKeyDictionary

from sqlalchemy import Engine, Table, bindparam, create_engine, event, insert, inspect, select, text
from sqlalchemy.orm import Session, SessionTransaction, make_transient_to_detached

from helpdesk import clock, reference_version
from helpdesk.auth import permissions
from helpdesk.auth.models import Role, User
from helpdesk.db import tune_postgresql
from helpdesk.directory import queries as directory
from helpdesk.directory.models import Contact, Enterprise, OrgStatus
from helpdesk.directory.validation import check_length, normalise_phone
from helpdesk.errors import InvalidInput, NotFound
from helpdesk.outbox import service as outbox
from helpdesk.pipelined import pipelined
from helpdesk.routing import service as routing
from helpdesk.search import index as search_index
from helpdesk.sla import service as sla
from helpdesk.tickets import fingerprint, open_counts
from helpdesk.tickets.changes import TicketChange
from helpdesk.tickets.models import (
    OPEN_STATUSES,
    Channel,
    Comment,
    Priority,
    Status,
    Ticket,
    TicketDecline,
    TicketEvent,
    TicketType,
)
from helpdesk.tickets.states import target_status

if TYPE_CHECKING:
    from helpdesk.portal.models import Attachment  # the portal owns the table
    from helpdesk.routing.engine import Decision

SUBJECT_LIMIT = 200
DESCRIPTION_LIMIT = 10_000
REASON_LIMIT = 500
COMMENT_LIMIT = 10_000
CANCEL_REASONS = ("duplicate", "spam")


@dataclass
class NewTicket:
    subject: str
    category: str
    type: TicketType = TicketType.REQUEST
    channel: Channel = Channel.PORTAL
    district: str | None = None
    description: str = ""
    priority: Priority = Priority.NORMAL
    enterprise_id: int | None = None
    contact_name: str | None = None
    contact_phone: str | None = None
    # a known number with another name: rename that contact (True) or add one (False)
    update_contact: bool = False
    organisation_id: int | None = None  # send straight to this organisation
    assignee_id: int | None = None
    related_ticket: str | None = None  # the ticket a complaint is about
    # False: no routing now (a live chat is the centre's while an agent answers it; it is
    # routed when transferred, or by the rules if it ends unanswered)
    route: bool = True


_NEXT_NUMBER = text(
    "INSERT INTO ticket_counter (day, last) VALUES (:day, 1) "
    "ON CONFLICT (day) DO UPDATE SET last = ticket_counter.last + 1 RETURNING last"
)


# On PostgreSQL the new ticket's id comes from its sequence in the number's round trip: the
# ticket's INSERT then needs no `RETURNING id` and goes out with the creation's other writes
# (helpdesk/pipelined.py). A sequence is not transactional: an id taken in the number's own
# transaction is the creation's, whatever that one does (a failed creation leaves a gap).
_NEXT_NUMBER_AND_ID = text(
    "INSERT INTO ticket_counter (day, last) VALUES (:day, 1) "
    "ON CONFLICT (day) DO UPDATE SET last = ticket_counter.last + 1 "
    "RETURNING last, nextval(pg_get_serial_sequence('ticket', 'id'))"
)


def next_number(session: Session) -> str:
    return _numbered(session)[0]


def _numbered(session: Session) -> tuple[str, int | None]:
    """HZ-YYYYMMDD-NNNNN, unique even under concurrent creation: one atomic upsert per day;
    and on PostgreSQL the ticket's id (_NEXT_NUMBER_AND_ID), elsewhere None (the INSERT's).

    On PostgreSQL the upsert runs in its own short transaction: inside the creation's, the
    day's counter row stayed locked until that commit and every other creation waited on it
    (two web processes made no more tickets than one). The price: a creation that fails
    after taking its number leaves a gap. SQLite has one writer anyway, so there the number
    stays in the creation's transaction and numbers stay gapless."""
    day = clock.local_today()
    engine = session.get_bind().engine
    if engine.dialect.name == "postgresql":
        with _numbering_engine(engine).connect() as own:  # autocommit: the upsert alone
            last, ticket_id = own.execute(_NEXT_NUMBER_AND_ID, {"day": day}).one()
    else:
        # on the connection: a plain upsert, no flush or ORM execution needed before it
        last = session.connection().execute(_NEXT_NUMBER, {"day": day}).scalar_one()
        ticket_id = None
    return f"HZ-{day}-{last:05d}", ticket_id


_numbering_engines: WeakKeyDictionary[Engine, Engine] = WeakKeyDictionary()


def _numbering_engine(engine: Engine) -> Engine:
    """A small pool of its own for the number's short transaction: taken from the request's
    pool, a burst whose requests each held one connection waited for a second one for ever
    (QueuePool limit reached), since every holder was itself waiting for a number.

    Its commits do not wait for the WAL to reach the disk (synchronous_commit off): the day's
    row stays locked until the commit returns, so with the flush every creation queued behind
    the one before it for a disk write (12.9 ms per ticket waiting in the upsert, in
    bench/api_create.py --log-statements on a loaded machine). Nothing is lost by it: a ticket
    commits with the flush, which writes the WAL up to there, its number's commit included; a
    crash can only give again a number whose ticket was never committed."""
    found = _numbering_engines.get(engine)
    if found is None:
        found = _numbering_engines[engine] = create_engine(
            engine.url,
            pool_size=4,  # with 2 (and the flush), 8 requests at once opened new backends
            max_overflow=4,
            pool_pre_ping=True,
            connect_args={"options": "-c synchronous_commit=off"},
            # One statement, its own transaction: no BEGIN and COMMIT round trips around it.
            isolation_level="AUTOCOMMIT",
        )
        tune_postgresql(found)  # and no ping sent on checkout
    return found


def note(
    session: Session,
    actor: User | None,
    ticket: Ticket,
    kind: str,
    data: dict[str, Any] | None = None,
    internal: bool = True,
) -> TicketEvent:
    """An event that changes no field but must be on the record (a phone number revealed)."""
    return _record(session, ticket, actor, kind, ticket.status, data, internal=internal)


def get_by_number(session: Session, number: str, user: User | None = None) -> Ticket:
    ticket = session.scalars(select(Ticket).where(Ticket.number == number)).first()
    if user is None:
        if ticket is None:
            raise NotFound(f"ticket {number} not found", field="number")
        return ticket
    return permissions.ensure_visible(user, ticket, number)


def _state(
    ticket: Ticket, comment: Comment | None, rewritten: Sequence[Comment] = ()
) -> dict[str, Any]:
    """The row after this change (and the comment it added, or the comments retention
    rewrote), for `audit verify` to replay."""
    state: dict[str, Any] = {"row": fingerprint.of_row(ticket)}
    if comment is not None:
        state["comment"] = {
            "id": comment.id,
            "sha": fingerprint.of_comment(comment.body, comment.internal),
        }
    if rewritten:
        state["comments"] = [
            {"id": c.id, "sha": fingerprint.of_comment(c.body, c.internal)} for c in rewritten
        ]
    return state


class _Before(NamedTuple):
    """A ticket as its change began: where it counted (organisation, open) and its search
    facets, for _record to move the open-ticket counters (helpdesk/tickets/open_counts.py) and
    the search document's facet columns only when they moved."""

    placement: open_counts.Placement
    facets: dict[str, Any]


# Taken by _move (and by a change of a facet outside it: move_enterprise) as each change
# begins; held weakly, by ticket. A change with none (a note, a rating) moved neither.
_before_change: WeakKeyDictionary[Ticket, _Before] = WeakKeyDictionary()


def _hold_before(ticket: Ticket) -> None:
    _before_change[ticket] = _Before(
        open_counts.placement(ticket), search_index.ticket_facets(ticket)
    )


# .inline(): no `RETURNING id` on PostgreSQL (nothing reads it), so inside pipelined (a
# creation's writes) the INSERT is only queued.
_INSERT_EVENT = insert(cast(Table, TicketEvent.__table__)).inline()
_EVENT_COLUMNS = (
    "ticket_id",
    "kind",
    "actor_id",
    "at",
    "from_status",
    "to_status",
    "data",
    "state",
)


def _event_row(event: TicketEvent | _NewEvent) -> dict[str, Any]:
    row = {name: getattr(event, name) for name in _EVENT_COLUMNS}
    row["internal"] = bool(event.internal)
    return row


def _stamp(ticket: Ticket) -> tuple[datetime, _Before | None]:
    """Every change's version, time and open flag; and the ticket before it (None: no _move,
    so nothing moved)."""
    now = clock.now()
    ticket.version = (ticket.version or 0) + 1
    ticket.updated_at = now
    ticket.is_open = ticket.status in OPEN_STATUSES
    return now, _before_change.pop(ticket, None)


def _record(
    session: Session,
    ticket: Ticket,
    actor: User | None,
    kind: str,
    from_status: Status | None,
    data: dict[str, Any] | None = None,
    internal: bool = False,
    comment: Comment | None = None,
    rewritten: Sequence[Comment] = (),
) -> TicketEvent:
    """The change's event, SLA clock, outbox entry and open-ticket counters (a ticket being
    created: _record_new)."""
    now, before = _stamp(ticket)
    event = TicketEvent(
        ticket_id=ticket.id,
        kind=kind,
        actor_id=actor.id if actor else None,
        at=now,
        from_status=from_status.value if from_status else None,
        to_status=ticket.status.value,
        data=data or {},
        internal=internal,
        state=_state(ticket, comment, rewritten),
    )
    if before is not None:
        open_counts.move(session, before.placement, open_counts.placement(ticket))
    # A Core insert: the event is written once and never changed, and nothing in the
    # transaction reads it back by identity, so the ORM's unit of work would buy nothing.
    # The object stays transient, for the SLA clock below and the caller.
    session.connection().execute(_INSERT_EVENT, _event_row(event))
    sla.record(session, ticket, event)  # the SLA clock: ticket_sla and sla_stage rows
    if before is not None:  # its status, organisation... in search, if they moved
        search_index.ticket_changed(session, ticket, before.facets)
    outbox.add(session, TicketChange.of(ticket, kind))
    return event


def _record_new(
    session: Session,
    ticket: Ticket,
    actor: User | None,
    kind: str,
    from_status: Status | None,
    data: dict[str, Any],
    creation: _Creation,
) -> None:
    """_record for a ticket being created: it has no row yet, so the creation holds the event
    and writes all of it at its end."""
    now, _before = _stamp(ticket)  # a new ticket counts nowhere yet: the creation places it
    event = _NewEvent(
        kind=kind,
        actor_id=actor.id if actor else None,
        at=now,
        from_status=from_status.value if from_status else None,
        to_status=ticket.status.value,
        data=data,
        internal=False,
        state=_state(ticket, None),
    )
    creation.add(session, ticket, event)


@dataclass(slots=True)
class _NewEvent:
    """A new ticket's event: the values of its ticket_event row. Not a TicketEvent: nothing
    reads it back as an object, it is written with the ticket in one multi-row INSERT."""

    kind: str
    actor_id: int | None
    at: datetime
    from_status: str | None
    to_status: str
    data: dict[str, Any]
    internal: bool
    state: dict[str, Any]
    ticket_id: int | None = None


_INSERT_TICKET = insert(cast(Table, Ticket.__table__)).returning(Ticket.id)
_INSERT_NUMBERED_TICKET = insert(cast(Table, Ticket.__table__)).inline()  # its id given
_TICKET_COLUMNS = tuple(c.key for c in cast(Table, Ticket.__table__).columns if c.key != "id")


@dataclass
class _Creation:
    """What a creation writes, held until its ticket row can be written once in its final
    state: the events of its changes ("created", then "assigned" when it is routed or sent
    somewhere), their SLA clock and their outbox entries. Nothing in the transaction reads
    them back before then (routing and the SLA clock use the objects in hand)."""

    events: list[_NewEvent] = field(default_factory=list)
    changes: list[TicketChange] = field(default_factory=list)
    clock: sla.NewClock = field(default_factory=sla.NewClock)

    def add(self, session: Session, ticket: Ticket, event: _NewEvent) -> None:
        """One change of the ticket, as it stands after it."""
        self.events.append(event)
        self.clock.record(session, ticket, event)
        self.changes.append(TicketChange.of(ticket, event.kind))

    def write(self, session: Session, ticket: Ticket, ticket_id: int | None) -> None:
        """The ticket row (one INSERT), its open-ticket counter, its events and outbox entries
        (one multi-row INSERT each), its SLA rows and its search document; the ticket joins the
        session as stored. `ticket_id`: the id taken with the number (PostgreSQL), None: the
        INSERT's. On PostgreSQL all are sent together, in one round trip
        (helpdesk/pipelined.py)."""
        row = {name: getattr(ticket, name) for name in _TICKET_COLUMNS}
        connection = session.connection()
        with pipelined(session):
            if ticket_id is None:
                ticket_id = connection.execute(_INSERT_TICKET, row).scalar_one()
            else:
                connection.execute(_INSERT_NUMBERED_TICKET, {"id": ticket_id, **row})
            ticket.id = ticket_id
            state = inspect(ticket)
            for name in _TICKET_COLUMNS:  # a column never set reads as None; set, not loaded
                if name not in state.dict:
                    setattr(ticket, name, row[name])
            make_transient_to_detached(ticket)  # as if loaded: history cleared, nothing to flush
            session.add(ticket)
            open_counts.move(session, open_counts.NOWHERE, open_counts.placement(ticket))
            for written in self.events:
                written.ticket_id = ticket_id
            connection.execute(_INSERT_EVENT, [_event_row(written) for written in self.events])
            self.clock.write(session, ticket_id)
            outbox.add_many(session, [replace(c, ticket_id=ticket_id) for c in self.changes])
            search_index.ticket_created(session, ticket)  # in this transaction: search/index.py


# Built once (every phone ticket looks its caller up; building the statement cost more than
# SQLite took to answer it). A Core select of the row: the ORM's loading machinery cost more
# than the query (bench/api_create.py); _as_contact makes the object.
_CONTACTS = cast(Table, Contact.__table__)
_CONTACT_BY_PHONE = (
    select(_CONTACTS)
    .where(_CONTACTS.c.phone == bindparam("phone"))
    .order_by(_CONTACTS.c.enterprise_id.is_(None), _CONTACTS.c.id)
    .limit(1)
)
_CONTACT_OF_ENTERPRISE = _CONTACT_BY_PHONE.where(
    _CONTACTS.c.enterprise_id == bindparam("enterprise")
)


def _as_contact(session: Session, row: Any) -> Contact | None:
    """The session's Contact for a row read through Core: the one it holds, or a new one that
    joins it as loaded (nothing to flush), as the ORM query would have answered."""
    if row is None:
        return None
    held = session.identity_map.get(session.identity_key(Contact, row.id))
    if held is not None:
        return cast(Contact, held)
    contact = Contact(**row._mapping)
    make_transient_to_detached(contact)
    session.add(contact)
    return contact


def _known_contact(session: Session, phone: str, enterprise_id: int | None) -> Contact | None:
    """The stored contact with this number: of the given enterprise, or when none is given, one
    that belongs to an enterprise before one that does not (oldest first)."""
    if session.autoflush:
        session.flush()  # as the ORM query would: contacts added and not flushed count
    connection = session.connection()
    if enterprise_id is None:
        row = connection.execute(_CONTACT_BY_PHONE, {"phone": phone}).first()
    else:
        row = connection.execute(
            _CONTACT_OF_ENTERPRISE, {"phone": phone, "enterprise": enterprise_id}
        ).first()
    return _as_contact(session, row)


_NOT_LOOKED_UP = object()


def _contact(
    session: Session,
    data: NewTicket,
    enterprise_id: int | None,
    caller: Any = _NOT_LOOKED_UP,
    phone: str | None = None,
) -> Contact | None:
    """The caller as a contact. A known number keeps its contact, and the name the agent typed:
    a different name is another person at that enterprise (a new contact) unless the agent
    said to update the stored one. `caller`: the contact create found when the enterprise
    came from the number (the same look-up would find it again); `phone`: the number as
    create normalised it then (None: not yet)."""
    if not data.contact_phone and not data.contact_name:
        return None
    name = check_length(data.contact_name, 60, "contact_name")
    if phone is None and data.contact_phone:
        phone = normalise_phone(data.contact_phone, "contact_phone")
    if caller is not _NOT_LOOKED_UP:
        known = caller
    else:
        known = _known_contact(session, phone, enterprise_id) if phone else None
    if known is not None:
        if not name or name == known.name:
            return known
        same = session.scalars(
            select(Contact)
            .where(
                Contact.phone == phone,
                Contact.name == name,
                Contact.enterprise_id.is_(None)
                if known.enterprise_id is None
                else Contact.enterprise_id == known.enterprise_id,
            )
            .limit(1)
        ).first()
        if same is not None:
            return same
        if data.update_contact:
            known.name = name
            return known
        enterprise_id = known.enterprise_id
    contact = Contact(enterprise_id=enterprise_id, name=name or phone or "", phone=phone)
    session.add(contact)
    session.flush()
    return contact


_KEEP = "helpdesk.tickets.keep"


def _keep(session: Session, *rows: object) -> None:
    """Hold rows the change read (its contact, the organisation it went to) until the
    transaction ends: the identity map holds rows weakly, and the response presenting the
    ticket reads them again with Session.get, which then answers without a query."""
    session.info.setdefault(_KEEP, []).extend(row for row in rows if row is not None)


@event.listens_for(Session, "after_transaction_end")
def _release(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:
        session.info.pop(_KEEP, None)


def create(session: Session, actor: User | None, data: NewTicket) -> Ticket:
    subject = check_length(data.subject, SUBJECT_LIMIT, "subject", required=True)
    description = check_length(data.description, DESCRIPTION_LIMIT, "description")
    category = directory.category(session, data.category)
    enterprise_id = data.enterprise_id
    caller: Any = _NOT_LOOKED_UP
    phone = None  # the caller's number normalised, once (phonenumbers' parse is not cheap)
    if actor is not None and actor.role is Role.ENTERPRISE:
        enterprise_id = actor.enterprise_id  # an enterprise files only for itself
    elif (
        actor is not None
        and enterprise_id is not None
        and not permissions.may_file_for(session, actor, enterprise_id)
    ):  # the same words as for an id that does not exist: no existence oracle
        raise InvalidInput(f"unknown enterprise {enterprise_id}", field="enterprise_id")
    elif enterprise_id is None and data.contact_phone:
        # The known contact calling from this number: its enterprise is the ticket's, and it
        # is the ticket's contact (_contact is given it, so the number is looked up once).
        phone = normalise_phone(data.contact_phone, "contact_phone")
        caller = _known_contact(session, phone, None)
        enterprise_id = caller.enterprise_id if caller is not None else None
    enterprise = directory.enterprise(session, enterprise_id) if enterprise_id else None
    district_code = data.district or (enterprise.district_code if enterprise else None)
    if not district_code:
        raise InvalidInput("district is required when no enterprise is given", field="district")
    directory.region(session, district_code)
    related_id = None
    if data.related_ticket:
        related_id = get_by_number(session, data.related_ticket, actor).id
    contact = _contact(session, data, enterprise_id, caller, phone)
    _keep(session, contact)
    number, ticket_id = _numbered(session)
    ticket = Ticket(
        number=number,
        type=data.type,
        channel=data.channel,
        category_code=category.code,
        district_code=district_code,
        enterprise_id=enterprise_id,
        contact_id=contact.id if contact else None,
        subject=subject,
        description=description,
        priority=data.priority,
        status=Status.NEW,
        created_by_id=actor.id if actor else None,
        related_ticket_id=related_id,
        tags=[],
        created_at=clock.now(),
        version=0,
    )
    # Every change is decided and recorded in memory first (routing reads, it does not need
    # the new row: nobody has declined it, and it counts nowhere yet), so the row is written
    # once, in its final state, followed by what the changes wrote.
    creation = _Creation()
    _record_new(session, ticket, actor, "created", None, {"channel": data.channel.value}, creation)
    if data.organisation_id is not None:
        assign(session, actor, ticket, data.organisation_id, data.assignee_id, creation=creation)
    elif data.route:
        apply_routing(session, ticket, routing.decide_to_route(session, ticket, new=True), creation)
    creation.write(session, ticket, ticket_id)
    return ticket


def apply_routing(
    session: Session,
    ticket: Ticket,
    decision: Decision | None,
    creation: _Creation | None = None,
) -> None:
    """Routing decided (helpdesk.routing.service), the tickets service applies: the rule's
    organisation and person, priority, tags and SLA policy, with the decision and its trace in
    the "assigned" event. No organisation: the ticket stays where it is (routing logged why)."""
    if decision is None or decision.organisation_id is None:
        return
    assign(
        session,
        None,  # the system routes
        ticket,
        decision.organisation_id,
        decision.person_id,
        rule=decision.rule,
        routing=decision.as_dict(),
        creation=creation,
    )


def _move(session: Session, actor: User | None, ticket: Ticket, action: str) -> Status:
    """Permission and state checks shared by every action; returns the status before."""
    if actor is not None:
        permissions.ensure_can_act(actor, ticket, action)
    _hold_before(ticket)
    before = ticket.status
    ticket.status = target_status(ticket.number, before, action)
    return before


def _reason(reason: str | None, required: bool = True) -> str:
    return check_length(reason, REASON_LIMIT, "reason", required=required)


def _check_target(session: Session, organisation_id: int, assignee_id: int | None) -> None:
    org = directory.organisation(session, organisation_id)
    if org.status is not OrgStatus.ACTIVE:
        raise InvalidInput(f"organisation {org.slug} is suspended", field="organisation_id")
    person = None
    if assignee_id is not None:
        # Routing names a person on most new tickets: the kept copy answers without a query
        # (fresh within reference_version's bound, as routing's own view of the people).
        person = reference_version.get(session, User, assignee_id, "users")
        if person is None or person.organisation_id != organisation_id or not person.active:
            raise InvalidInput(
                f"user {assignee_id} is not an active member of {org.slug}", field="assignee_id"
            )
    _keep(session, org, person)


def assign(
    session: Session,
    actor: User | None,
    ticket: Ticket,
    organisation_id: int,
    assignee_id: int | None = None,
    rule: str | None = None,
    routing: dict[str, Any] | None = None,
    creation: _Creation | None = None,
) -> Ticket:
    """`routing` is the rules engine's decision: its priority, tags and SLA policy are applied
    and the whole decision (with its trace) is kept in the event. `creation`: the ticket is
    being created (create holds what it writes)."""
    _check_target(session, organisation_id, assignee_id)
    before = _move(session, actor, ticket, "assign")
    ticket.assigned_org_id, ticket.assignee_id = organisation_id, assignee_id
    data: dict[str, Any] = {"organisation_id": organisation_id, "assignee_id": assignee_id}
    if rule:
        data["rule"] = rule
    if routing:
        ticket.priority = Priority(routing.get("priority") or ticket.priority)
        ticket.tags = sorted({*(ticket.tags or []), *routing.get("tags", [])})
        ticket.sla_policy = routing.get("sla_policy") or ticket.sla_policy
        data["routing"] = routing
    if creation is not None:
        _record_new(session, ticket, actor, "assigned", before, data, creation)
    else:
        _record(session, ticket, actor, "assigned", before, data)
    return ticket


def accept(session: Session, actor: User | None, ticket: Ticket) -> Ticket:
    before = _move(session, actor, ticket, "accept")
    if (
        actor is not None
        and ticket.assignee_id is None
        and actor.organisation_id == (ticket.assigned_org_id)
    ):
        ticket.assignee_id = actor.id
    if ticket.first_response_at is None:
        ticket.first_response_at = clock.now()
    _record(session, ticket, actor, "accepted", before, {"assignee_id": ticket.assignee_id})
    return ticket


def start(session: Session, actor: User | None, ticket: Ticket) -> Ticket:
    before = _move(session, actor, ticket, "start")
    _record(session, ticket, actor, "started", before)
    return ticket


def pend(session: Session, actor: User | None, ticket: Ticket, reason: str | None) -> Ticket:
    """Waiting on the enterprise: the SLA clock pauses until it answers."""
    text_reason = _reason(reason)
    before = _move(session, actor, ticket, "pend")
    _record(session, ticket, actor, "pended", before, {"reason": text_reason})
    return ticket


def resume(session: Session, actor: User | None, ticket: Ticket) -> Ticket:
    before = _move(session, actor, ticket, "resume")
    _record(session, ticket, actor, "resumed", before)
    return ticket


def resolve(session: Session, actor: User | None, ticket: Ticket, summary: str | None) -> Ticket:
    text_summary = check_length(summary, COMMENT_LIMIT, "summary", required=True)
    before = _move(session, actor, ticket, "resolve")
    ticket.resolved_at = clock.now()
    if ticket.first_response_at is None:
        ticket.first_response_at = ticket.resolved_at
    _record(session, ticket, actor, "resolved", before, {"summary": text_summary})
    from helpdesk.loop import followups  # late: the loop asks this module to write events

    followups.on_resolved(session, ticket)  # a phone or walk-in caller is called back (回访)
    return ticket


def close(
    session: Session, actor: User | None, ticket: Ticket, data: dict[str, Any] | None = None
) -> Ticket:
    """`data` says why when nobody closed it by hand (the loop's auto-close after N days)."""
    before = _move(session, actor, ticket, "close")
    ticket.closed_at = clock.now()
    _record(session, ticket, actor, "closed", before, data)
    return ticket


def reopen(session: Session, actor: User | None, ticket: Ticket, reason: str | None) -> Ticket:
    text_reason = _reason(reason)
    before = _move(session, actor, ticket, "reopen")
    ticket.resolved_at = ticket.closed_at = None
    _record(session, ticket, actor, "reopened", before, {"reason": text_reason})
    return ticket


def decline(session: Session, actor: User | None, ticket: Ticket, reason: str | None) -> Ticket:
    """A provider sends the ticket back: it returns to routing and that provider is excluded."""
    text_reason = _reason(reason)
    before = _move(session, actor, ticket, "decline")
    org_id = ticket.assigned_org_id
    if org_id is not None:
        session.merge(
            TicketDecline(ticket_id=ticket.id, organisation_id=org_id, reason=text_reason)
        )
    ticket.assigned_org_id = ticket.assignee_id = None
    _record(
        session,
        ticket,
        actor,
        "declined",
        before,
        {"organisation_id": org_id, "reason": text_reason},
    )
    # the next candidate; never back to one that declined
    apply_routing(session, ticket, routing.decide_to_route(session, ticket))
    return ticket


def declined_by(session: Session, ticket: Ticket) -> set[int]:
    rows = session.scalars(
        select(TicketDecline.organisation_id).where(TicketDecline.ticket_id == ticket.id)
    )
    return set(rows)


def transfer(
    session: Session,
    actor: User | None,
    ticket: Ticket,
    organisation_id: int,
    assignee_id: int | None,
    reason: str | None,
) -> Ticket:
    text_reason = _reason(reason)
    _check_target(session, organisation_id, assignee_id)
    if organisation_id in declined_by(session, ticket):
        raise InvalidInput(
            "that organisation already declined this ticket", field="organisation_id"
        )
    previous = {"organisation_id": ticket.assigned_org_id, "assignee_id": ticket.assignee_id}
    before = _move(session, actor, ticket, "transfer")
    ticket.assigned_org_id, ticket.assignee_id = organisation_id, assignee_id
    data = {
        "from": previous,
        "to": {"organisation_id": organisation_id, "assignee_id": assignee_id},
        "reason": text_reason,
    }
    _record(session, ticket, actor, "transferred", before, data)
    _notify_transfer(session, actor, ticket, text_reason)
    return ticket


def _notify_transfer(session: Session, actor: User | None, ticket: Ticket, reason: str) -> None:
    """The person it was sent to, or the receiving organisation's supervisors when nobody in
    particular: kept as a notification (notifications/), not only a live alert."""
    from helpdesk.notifications import service as notifications
    from helpdesk.sla.escalation import recipients

    people = [p for p in recipients(session, ticket, "assignee") if not actor or p != actor.id]
    notifications.add(
        session, people, "transferred", ticket, by=actor.name if actor else None, reason=reason
    )


def cancel(session: Session, actor: User | None, ticket: Ticket, reason: str | None) -> Ticket:
    if reason not in CANCEL_REASONS:
        raise InvalidInput(f"reason must be one of {', '.join(CANCEL_REASONS)}", field="reason")
    before = _move(session, actor, ticket, "cancel")
    ticket.closed_at = clock.now()
    _record(session, ticket, actor, "cancelled", before, {"reason": reason})
    return ticket


def merge(session: Session, actor: User | None, ticket: Ticket, into_number: str | None) -> Ticket:
    """Close `ticket` as a duplicate of another open ticket, keeping a link both ways."""
    if not into_number:
        raise InvalidInput("the ticket to merge into is required", field="into")
    target = get_by_number(session, into_number, actor)
    if target.id == ticket.id:
        raise InvalidInput("a ticket cannot be merged into itself", field="into")
    if target.status not in OPEN_STATUSES:
        raise InvalidInput(
            f"ticket {target.number} is {target.status.value}; merge into an open ticket",
            field="into",
        )
    before = _move(session, actor, ticket, "merge")
    ticket.merged_into_id = target.id
    ticket.closed_at = clock.now()
    _record(session, ticket, actor, "merged", before, {"into": target.number})
    _record(session, target, actor, "merged_from", target.status, {"from": ticket.number})
    return ticket


def move_enterprise(
    session: Session, actor: User | None, ticket: Ticket, into: Enterprise, former: Enterprise
) -> Ticket:
    """An admin merged two records of one enterprise: the ticket now belongs to the kept one.
    Internal: the enterprise sees the same company name on its ticket."""
    _hold_before(ticket)  # a search facet and scope: the document follows
    ticket.enterprise_id = into.id
    data = {"from": former.uscc, "into": into.uscc}
    _record(session, ticket, actor, "enterprise_merged", ticket.status, data, internal=True)
    return ticket


def comment(
    session: Session,
    actor: User | None,
    ticket: Ticket,
    body: str | None,
    internal: bool = False,
    attachments: Sequence[Attachment] = (),
) -> Comment:
    """A public reply or an internal note. An enterprise's reply resumes a pending ticket.
    `attachments`: files sent with it (already stored), listed under it by name; with one,
    the text may be empty."""
    text_body = check_length(body, COMMENT_LIMIT, "body", required=not attachments) or ""
    if actor is not None and internal and not permissions.can_write_internal(actor):
        raise InvalidInput("enterprise users cannot write internal notes", field="internal")
    before = _move(session, actor, ticket, "comment")
    note = Comment(
        ticket_id=ticket.id,
        author_id=actor.id if actor else None,
        body=text_body,
        internal=internal,
        created_at=clock.now(),
    )
    session.add(note)
    session.flush()
    for attachment in attachments:
        attachment.comment_id = note.id
    _record(
        session, ticket, actor, "commented", before, {"comment_id": note.id},
        internal=internal, comment=note,
    )  # fmt: skip
    search_index.comment_added(session, ticket, text_body, internal)
    if actor is not None and actor.role is Role.ENTERPRISE and ticket.status is Status.PENDING:
        resume(session, None, ticket)
    return note


def anonymise_comments(
    session: Session, ticket: Ticket, comments: Sequence[Comment], marker: str, kind: str
) -> TicketEvent:
    """Retention (helpdesk.retention): replace the comments' text with `marker`. The event
    keeps the new digests, so `audit verify` replays the comments against it; the chain keeps
    the old events untouched (they hold digests, never the text)."""
    for note in comments:
        note.body = marker
    session.flush()
    search_index.ticket_rewritten(session, ticket)
    event = _record(
        session, ticket, None, "anonymised", ticket.status,
        {"kind": kind, "comments": len(comments)}, internal=True, rewritten=comments,
    )  # fmt: skip
    return event


RATING_COMMENT_LIMIT = 1000
RATABLE = frozenset({Status.RESOLVED, Status.CLOSED})


def rate(
    session: Session,
    actor: User | None,
    ticket: Ticket,
    score: int,
    comment_text: str | None = None,
    channel: str = "portal",
) -> Any:
    """监督评价: the enterprise's one rating of a resolved ticket (a chat once it ended, `actor`
    None: the chat channel has checked the visitor owns the conversation)."""
    if actor is not None:
        permissions.ensure_visible(actor, ticket, ticket.number)
        if actor.role is not Role.ENTERPRISE:
            raise InvalidInput("only the enterprise rates its own ticket", field="score")
    if not isinstance(score, int) or isinstance(score, bool) or not 1 <= score <= 5:
        raise InvalidInput("score must be a whole number from 1 to 5", field="score")
    text_comment = check_length(comment_text, RATING_COMMENT_LIMIT, "comment")
    if channel != "chat" and ticket.status not in RATABLE:
        raise InvalidInput(f"ticket {ticket.number} is not resolved yet", field="score")
    return _store_rating(session, actor, ticket, score, text_comment, channel, {})


def _store_rating(
    session: Session,
    actor: User | None,
    ticket: Ticket,
    score: int,
    text_comment: str,
    channel: str,
    extra: dict[str, Any],
) -> Any:
    from helpdesk.portal.models import TicketRating  # the portal owns the table

    exists = session.scalars(select(TicketRating.id).where(TicketRating.ticket_id == ticket.id))
    if exists.first() is not None:
        raise InvalidInput(f"ticket {ticket.number} has already been rated", field="score")
    rating = TicketRating(
        ticket_id=ticket.id,
        score=score,
        comment=text_comment,
        rated_by_id=actor.id if actor else None,
        channel=channel,
        created_at=clock.now(),
    )
    session.add(rating)
    data = {"score": score, "comment": text_comment, "channel": channel, **extra}
    _record(session, ticket, actor, "rated", ticket.status, data)
    return rating


def rate_by_callback(
    session: Session,
    actor: User,
    ticket: Ticket,
    score: int,
    comment_text: str | None,
    outcome: str,
) -> Any:
    """回访: the caller's answer as an agent wrote it down on the call back, stored with the
    portal's and chat's ratings (channel "callback") so satisfaction is counted in one place."""
    if not actor.is_staff:
        raise InvalidInput("only the centre's staff record a call back", field="outcome")
    text_comment = check_length(comment_text, RATING_COMMENT_LIMIT, "comment")
    if ticket.status not in RATABLE:
        raise InvalidInput(f"ticket {ticket.number} is not resolved yet", field="outcome")
    extra = {"outcome": outcome}
    return _store_rating(session, actor, ticket, score, text_comment, "callback", extra)
