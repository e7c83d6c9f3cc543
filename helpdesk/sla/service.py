"""The database edge of the SLA clock: keeps `ticket_sla` and `sla_stage` in step with events.

The tickets service calls `record` for every event it writes, in the same transaction
(`tickets.service._record`): it moves the pure SLA clock (`clock.transition`), stores the due
times and syncs the ticket's timer stages. After commit, the outbox dispatcher books each
changed ticket's next timer (its earliest pending stage) in Redis (`helpdesk.outbox`); the job
that fires it books the one after. If Redis is down the reconciler catches up from the
database.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol, cast
from weakref import WeakKeyDictionary

from sqlalchemy import Table, insert, inspect, select
from sqlalchemy.orm import Session, SessionTransaction, object_session, scoped_session

from helpdesk import direct_sql
from helpdesk.auth.models import User
from helpdesk.sla import clock as sla_clock
from helpdesk.sla.calendar import BusinessCalendar, default_calendar
from helpdesk.sla.holidays import sla_folder
from helpdesk.sla.models import PAUSED, PENDING, STOPPED, SlaStage, TicketSla
from helpdesk.sla.policies import Policies, PolicySource
from helpdesk.tickets.models import Ticket

log = logging.getLogger(__name__)

_ALWAYS = BusinessCalendar("24x7", None)
_source: PolicySource | None = None


def calendar_named(name: str, session: Session | None = None) -> BusinessCalendar:
    """The 24x7 calendar, or the business calendar with the years entered by hand (read
    through `session`; without one, the last one built in this process)."""
    if name == "24x7":
        return _ALWAYS
    if session is None:
        return default_calendar()
    from helpdesk.sla.calendar_store import business_calendar

    return business_calendar(session)


def policies(session: Session | None = None, version: int | None = None) -> Policies:
    """The policies a new ticket gets: with a session, the newest version saved in the
    console (helpdesk.sla.policy_store), else the file. `version`: a ticket's own version."""
    global _source
    if _source is None:
        lengths = {"business": default_calendar().day_length, "24x7": _ALWAYS.day_length}
        _source = PolicySource(sla_folder() / "policies.yaml", lengths)
    if session is not None:
        from helpdesk.sla import policy_store

        newest = policy_store.newest(session)  # None: nothing saved, the file is in force
        number = version if version is not None else newest
        if newest is not None and number is not None:
            found = policy_store.version_policies(session, number, _source.day_lengths)
            if found is not None:
                return found
    return _source.get()


def policy_title(name: str | None) -> str:
    """What pages call a policy: its description in policies.yaml (Chinese), else its name."""
    found = policies().policies.get(name or "")
    return (found.description or found.name) if found else (name or "")


def policy_source() -> PolicySource:
    policies()
    assert _source is not None
    return _source


def reset() -> None:
    """Forget the loaded policies and calendar (tests point HELPDESK_SLA_FOLDER elsewhere)."""
    from helpdesk.sla.calendar import reset_default
    from helpdesk.sla.calendar_store import forget
    from helpdesk.sla.policy_store import reset as forget_versions

    global _source
    _source = None
    forget_versions()
    reset_default()
    forget()


def state_of(sla: TicketSla) -> sla_clock.SlaState:
    return sla_clock.SlaState(
        started_at=sla.started_at,
        paused=timedelta(seconds=sla.paused_seconds or 0.0),
        paused_at=sla.paused_at,
        responded=bool(sla.responded),
        resolved=bool(sla.resolved),
        closed=bool(sla.closed),
        update_started_at=sla.update_started_at,
        update_cycle=sla.update_cycle or 0,
        resolution_cycle=sla.resolution_cycle or 0,
    )


def _store(sla: TicketSla, state: sla_clock.SlaState) -> None:
    sla.paused_seconds = state.paused.total_seconds()
    sla.paused_at = state.paused_at
    sla.responded, sla.resolved, sla.closed = state.responded, state.resolved, state.closed
    sla.update_started_at = state.update_started_at
    sla.update_cycle, sla.resolution_cycle = state.update_cycle, state.resolution_cycle


def targets_for(
    ticket: Ticket, sla: TicketSla | None = None, session: Session | None = None
) -> sla_clock.Targets:
    """The ticket's targets under the policies version it was planned with (a ticket from
    before any console edit: version 1, the file as shipped, once versions exist). `session`:
    for a ticket not in one yet (being created)."""
    session = session if session is not None else object_session(ticket)
    if sla is None and session is not None:
        sla = session.get(TicketSla, ticket.id)
    version = sla.policy_version if sla is not None else None
    if session is not None and version is None:
        version = 1  # planned before any save: the shipped file, stored as version 1
    return policies(session, version).targets(
        ticket.sla_policy, ticket.type.value, ticket.priority.value, ticket.category_code
    )


class Event(Protocol):
    """What the clock reads of an event: a TicketEvent, or a new ticket's event not yet
    written (helpdesk.tickets.service)."""

    @property
    def kind(self) -> str: ...
    @property
    def at(self) -> datetime: ...
    @property
    def actor_id(self) -> int | None: ...
    @property
    def internal(self) -> bool: ...


def _public_update(session: Session, ev: Event) -> bool:
    """A reply the enterprise sees, written by staff (not by the enterprise itself)."""
    if ev.kind != "commented" or ev.internal or ev.actor_id is None:
        return False
    actor = session.get(User, ev.actor_id)
    return actor is not None and actor.role.value != "enterprise"


Known = dict[int, tuple[TicketSla, dict[tuple[str, str, int], SlaStage]]]
# The SLA rows each transaction has in hand, by ticket: the stages one event adds are not
# flushed before the next event of the same ticket in that transaction (`record` runs without
# autoflush), so that one finds them here. Held weakly: gone with the transaction. A ticket
# being created has its rows in its NewClock instead.
_in_hand: WeakKeyDictionary[SessionTransaction, Known] = WeakKeyDictionary()


def record(session: Session, ticket: Ticket, ev: Event) -> None:
    """Move the ticket's SLA clock for an event the tickets service is writing (a ticket in
    the database: a new one's events go to its NewClock)."""
    if ev.kind.startswith("sla_"):  # the ladder's own steps: recorded, not clocked
        return
    own = session() if isinstance(session, scoped_session) else session  # the request's
    transaction = own.get_transaction()
    known = _in_hand.setdefault(transaction, {}) if transaction is not None else {}
    with session.no_autoflush:  # the event itself is not flushed yet
        apply_event(session, ticket, ev, known)


_INSERT_STAGES = insert(cast(Table, SlaStage.__table__))
_INSERT_SLA = insert(cast(Table, TicketSla.__table__))
_SLA_COLUMNS = tuple(attribute.key for attribute in inspect(TicketSla).column_attrs)
_STAGE_COLUMNS = ("ticket_id", "target", "step", "cycle", "fire_at", "state", "done_at")


@dataclass
class NewClock:
    """The SLA rows of a ticket being created, planned in memory from its events before its
    row exists (helpdesk.tickets.service.create holds it): `write` inserts them once the ticket
    has its id. Never in the session: nothing in the transaction reads them by identity, and
    the unit of work would insert six stages in six statements. Its rows are _Planned values,
    not TicketSla and SlaStage objects."""

    rows: Known = field(default_factory=dict)
    # The last event's clock, targets and calendar: the "assigned" after "created" leaves the
    # clock as it was, so unless routing changed the targets its due times and timers are the
    # ones just planned (apply_event's `planned`).
    planned: list[Any] = field(default_factory=list)

    def record(self, session: Session, ticket: Ticket, ev: Event) -> None:
        """Move the new ticket's clock for one of its events (`ticket` as that event left it)."""
        if not ev.kind.startswith("sla_"):
            with session.no_autoflush:
                apply_event(session, ticket, ev, self.rows, attach=False, planned=self.planned)

    def write(self, session: Session, ticket_id: int) -> None:
        """The SLA row, then the stages in one multi-row statement."""
        if not self.rows:
            return
        ((sla, stages),) = self.rows.values()
        sla.ticket_id = ticket_id
        values = vars(sla)  # only the attributes set (_Planned): Core fills the other defaults
        connection = session.connection()
        row = {key: values[key] for key in _SLA_COLUMNS if key in values}
        direct_sql.execute(connection, _INSERT_SLA, row)
        if stages:
            rows = [
                {name: getattr(row, name) for name in _STAGE_COLUMNS} for row in stages.values()
            ]
            for row in rows:
                row["ticket_id"] = ticket_id
            direct_sql.execute(connection, _INSERT_STAGES, rows)


class _Planned:
    """A new ticket's `ticket_sla` or `sla_stage` row as plain attributes (NewClock): what the
    clock reads and sets of a TicketSla or SlaStage, without the ORM's instrumentation (its
    constructor and every attribute set cost more than the clock's arithmetic; nothing loads
    these rows by identity, they are written with one Core INSERT each)."""

    def __init__(self, **values: Any) -> None:
        self.__dict__.update(values)


def _load(
    session: Session, ticket: Ticket, kind: str, at: datetime, known: Known, attach: bool
) -> tuple[TicketSla, Any]:
    """The ticket's SLA row and stages; rows added earlier in this transaction and not flushed
    yet are not queryable, so they come from `known`. `attach`: a new row goes into the
    session (False: a NewClock writes it)."""
    if ticket.id in known:
        return known[ticket.id]
    # "created" is the first event of a ticket inserted in this very transaction: it has no
    # SLA row yet, so there is nothing to look up.
    sla = None if kind == "created" else session.get(TicketSla, ticket.id)
    if sla is None:
        from helpdesk.sla import policy_store

        values = {
            "ticket_id": ticket.id, "started_at": ticket.created_at or at, "overdue": False,
            "policy_version": policy_store.newest(session),
        }  # fmt: skip
        if attach:
            sla = TicketSla(**values)
            session.add(sla)
        else:
            sla = cast(TicketSla, _Planned(**values))
        _store(sla, sla_clock.SlaState(started_at=sla.started_at))
        existing: dict[tuple[str, str, int], SlaStage] = {}
    else:
        rows = session.scalars(select(SlaStage).where(SlaStage.ticket_id == ticket.id))
        existing = {(s.target, s.step, s.cycle): s for s in rows}
    known[ticket.id] = (sla, existing)
    return sla, existing


def apply_event(
    session: Session,
    ticket: Ticket,
    ev: Event,
    known: Known,
    attach: bool = True,
    planned: list[Any] | None = None,
) -> None:
    """`planned`: the (state, targets, calendar) this ticket's rows were last planned for in
    this transaction; the same again plans the same due times and timers, so it stops there."""
    at: datetime = ev.at
    sla, existing = _load(session, ticket, ev.kind, at, known, attach)
    targets = targets_for(ticket, sla, session)
    sla.policy, sla.calendar = targets.policy, targets.calendar
    calendar = calendar_named(targets.calendar, session)
    state = sla_clock.transition(
        state_of(sla),
        ev.kind,
        at,
        calendar,
        public_update=_public_update(session, ev),
        pause_when=targets.pause_when,
    )
    _store(sla, state)
    if planned is not None:
        now_planned = [state, targets, calendar]
        if planned == now_planned:  # the clock and targets did not move: nor did the plan
            return
        planned[:] = now_planned
    due = sla_clock.due_times(state, targets, calendar)
    for target in sla_clock.TARGETS:
        if target in due:
            setattr(sla, f"{target}_due", due[target])
        elif state.paused_at is not None and not state.resolved:
            setattr(sla, f"{target}_due", None)  # paused: no due time until it resumes
    wanted = sla_clock.plan(state, targets, calendar)
    _sync_stages(session, ticket.id, existing, wanted, state, at, attach)


def _sync_stages(
    session: Session,
    ticket_id: int,
    existing: dict[tuple[str, str, int], SlaStage],
    wanted: dict[tuple[str, str, int], datetime],
    state: sla_clock.SlaState,
    at: datetime,
    attach: bool,
) -> None:
    for key, fire_at in wanted.items():
        row = existing.get(key)
        if row is None:
            target, step, cycle = key
            values = {
                "ticket_id": ticket_id, "target": target, "step": step, "cycle": cycle,
                "fire_at": fire_at, "state": PENDING, "done_at": None,
            }  # fmt: skip
            if attach:
                row = SlaStage(**values)
                session.add(row)
            else:
                row = cast(SlaStage, _Planned(**values))
            existing[key] = row
        elif row.state in (PENDING, PAUSED) and (row.fire_at != fire_at or row.state != PENDING):
            row.fire_at, row.state = fire_at, PENDING
    for key, row in existing.items():
        if key not in wanted and row.state in (PENDING, PAUSED):
            if state.paused_at is not None and not state.closed and not state.resolved:
                row.state = PAUSED
            else:
                row.state, row.done_at = STOPPED, at
