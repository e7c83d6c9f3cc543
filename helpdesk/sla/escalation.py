"""Firing one timer stage: re-read everything, never act early, act exactly once.

A job can start up to a second early (RQ), twice (a retry after a killed worker, a reconciler
restore) or long after the ticket changed. So `fire` re-reads the stage and the ticket, waits
out a short early start, and claims the stage with a conditional UPDATE in the same transaction
that writes the ticket event: of any number of attempts exactly one commits the step.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from helpdesk import clock
from helpdesk.auth.models import Role, User
from helpdesk.directory.models import Organisation, OrgKind
from helpdesk.notifications import service as notifications
from helpdesk.sla.clock import Step
from helpdesk.sla.models import FIRED, PENDING, STOPPED, SlaStage, TicketSla
from helpdesk.tickets.models import OPEN_STATUSES, Ticket

log = logging.getLogger(__name__)

EARLY_WAIT = timedelta(seconds=2)  # an early start this close is waited out in the job


@dataclass(frozen=True)
class Outcome:
    result: str  # fired | early | done | stopped | paused | gone
    stage_id: int
    ticket_id: int | None = None
    kind: str | None = None
    recipients: tuple[int, ...] = ()
    number: str | None = None  # what the alert shows: the ticket's number and subject
    subject: str | None = None
    fire_at: datetime | None = None  # the stage's, for its timer job's id (fire_due)


def _stop(session: Session, stage: SlaStage, now: datetime) -> None:
    session.execute(
        update(SlaStage)
        .where(SlaStage.id == stage.id, SlaStage.state == PENDING)
        .values(state=STOPPED, done_at=now)
    )
    session.commit()


def recipients(session: Session, ticket: Ticket, notify: str) -> list[int]:
    active = User.active.is_(True)
    if notify == "assignee":
        if ticket.assignee_id is not None:
            return [ticket.assignee_id]
        notify = "org_supervisors"  # nobody holds it yet: whoever runs the queue
    if notify == "org_supervisors" and ticket.assigned_org_id is not None:
        members = session.execute(
            select(User.id, User.role)
            .where(User.organisation_id == ticket.assigned_org_id, active)
            .order_by(User.id)
        ).all()
        chiefs = [uid for uid, role in members if role in (Role.SUPERVISOR, Role.ADMIN)]
        if chiefs or members:
            return chiefs or [uid for uid, _ in members]
    return list(
        session.scalars(
            select(User.id)
            .join(Organisation, Organisation.id == User.organisation_id)
            .where(
                Organisation.kind == OrgKind.SERVICE_CENTRE, User.role == Role.SUPERVISOR, active
            )
            .order_by(User.id)
        )
    )


def _step(ticket: Ticket, stage: SlaStage) -> Step | None:
    from helpdesk.sla.service import targets_for

    return next((s for s in targets_for(ticket).ladder if s.name == stage.step), None)


def fire(session: Session, stage_id: int, wait: bool = True) -> Outcome:
    stage = session.get(SlaStage, stage_id)
    if stage is None:
        return Outcome("gone", stage_id)
    if stage.state != PENDING:
        return Outcome("done", stage_id, stage.ticket_id)
    now = clock.now()
    if now < stage.fire_at and wait and stage.fire_at - now <= EARLY_WAIT:
        time.sleep((stage.fire_at - now).total_seconds())
        now = clock.now()
    if now < stage.fire_at:
        from helpdesk import redis_connections
        from helpdesk.sla import timers

        fire_at = stage.fire_at
        session.rollback()
        redis = redis_connections.connection()
        if redis is not None:
            timers.schedule(redis, [(stage_id, fire_at)])
        return Outcome("early", stage_id)
    ticket = session.get(Ticket, stage.ticket_id)
    sla = session.get(TicketSla, stage.ticket_id)
    if ticket is None or sla is None or ticket.status not in OPEN_STATUSES:
        _stop(session, stage, now)
        return Outcome("stopped", stage_id, stage.ticket_id)
    if sla.paused_at is not None:
        session.rollback()
        return Outcome("paused", stage_id, ticket.id)  # resume re-plans and reschedules it
    step = _step(ticket, stage)
    if step is None:  # the policy changed and no longer has this step
        _stop(session, stage, now)
        return Outcome("stopped", stage_id, ticket.id)
    outcome = _claim_and_record(session, stage, ticket, sla, step, now)
    if outcome is None:
        session.rollback()
        return Outcome("done", stage_id, ticket.id)
    session.commit()
    return outcome


def _claim_and_record(
    session: Session,
    stage: SlaStage,
    ticket: Ticket,
    sla: TicketSla,
    step: Step,
    now: datetime,
    people: list[int] | None = None,
) -> Outcome | None:
    """Claim the stage (a conditional UPDATE) and write its step, uncommitted; None when
    another attempt claimed it first (nothing written)."""
    claimed = session.execute(
        update(SlaStage)
        .where(SlaStage.id == stage.id, SlaStage.state == PENDING)
        .values(state=FIRED, done_at=now)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        return None
    if people is None:
        people = recipients(session, ticket, step.notify)
    if step.overdue and not sla.overdue:
        sla.overdue, sla.overdue_since = True, now
    kind = f"sla_{step.name}"
    data = {
        "target": stage.target,
        "step": step.name,
        "cycle": stage.cycle,
        "due_at": _due(sla, stage.target),
        "fire_at": stage.fire_at.isoformat(),
        "late_ms": int((now - stage.fire_at).total_seconds() * 1000),
        "notify": step.notify,
        "notified": people,
        "overdue": step.overdue,
    }
    record_step(session, ticket, kind, data)
    # kept for whoever is offline now: the live alert (jobs.notify) reaches only the online
    notifications.add(session, people, kind, ticket, target=stage.target)
    number, subject = ticket.number, ticket.subject
    return Outcome(
        "fired", stage.id, ticket.id, kind, tuple(people), number, subject, stage.fire_at
    )


BATCH = 200  # stages fired per transaction by fire_due


def fire_due(session: Session, size: int = BATCH) -> list[Outcome]:
    """Fire, in one transaction, up to `size` pending stages already due (code clock), oldest
    first, found by the (state, fire_at) index; returns what each became (fired or stopped).

    One RQ job per stage cost more in RQ's handling than the firing (issue 17: 83 fired/s, p99
    94 s late), so a timer job fires everything due. Each stage is still claimed by its own
    conditional UPDATE: a concurrent firer (another worker, a late job) that claimed it first
    makes it skipped here, and a worker killed before the commit leaves every stage pending,
    its job still in Redis. Paused tickets' stages are left out (resume re-plans them)."""
    now = clock.now()
    rows = session.execute(
        select(SlaStage, TicketSla)
        .outerjoin(TicketSla, TicketSla.ticket_id == SlaStage.ticket_id)
        .where(SlaStage.state == PENDING, SlaStage.fire_at <= now, TicketSla.paused_at.is_(None))
        .order_by(SlaStage.fire_at, SlaStage.id)
        .limit(size)
    ).all()
    if not rows:
        session.rollback()
        return []
    owners = {stage.ticket_id for stage, _ in rows}
    tickets = {t.id: t for t in session.scalars(select(Ticket).where(Ticket.id.in_(owners)))}
    people: dict[tuple[str, int | None, int | None], list[int]] = {}  # one look-up per kind
    outcomes: list[Outcome] = []
    for stage, sla in rows:
        ticket = tickets.get(stage.ticket_id)
        step = _step(ticket, stage) if ticket is not None else None
        if ticket is None or sla is None or ticket.status not in OPEN_STATUSES or step is None:
            session.execute(
                update(SlaStage)
                .where(SlaStage.id == stage.id, SlaStage.state == PENDING)
                .values(state=STOPPED, done_at=now)
            )
            outcomes.append(Outcome("stopped", stage.id, stage.ticket_id, fire_at=stage.fire_at))
            continue
        key = (step.notify, ticket.assignee_id, ticket.assigned_org_id)
        if key not in people:
            people[key] = recipients(session, ticket, step.notify)
        outcome = _claim_and_record(session, stage, ticket, sla, step, now, list(people[key]))
        if outcome is not None:
            outcomes.append(outcome)
    session.commit()
    return outcomes


def record_step(session: Session, ticket: Ticket, kind: str, data: dict[str, object]) -> None:
    from helpdesk.tickets import service

    service.note(session, None, ticket, kind, dict(data))


def _due(sla: TicketSla, target: str) -> str | None:
    due: datetime | None = getattr(sla, f"{target}_due")
    return due.isoformat() if due else None
