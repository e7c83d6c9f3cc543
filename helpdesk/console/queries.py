"""Reads for the live screens: a person's lists, the catch-up after a reconnect, the wallboard.

All ticket reads go through `permissions.scope_tickets`, as the API's do.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from helpdesk import clock
from helpdesk.auth import permissions
from helpdesk.auth.models import Role, User
from helpdesk.channels.chat import queries as chat_queries
from helpdesk.channels.phone import queue as phone_queue
from helpdesk.channels.phone.models import CallRecord, CallStatus
from helpdesk.db import stored
from helpdesk.directory.models import Organisation, OrgKind, OrgStatus
from helpdesk.realtime import presence
from helpdesk.realtime.summary import AT_RISK_WITHIN, ticket_summaries
from helpdesk.sla.models import TicketSla
from helpdesk.tickets.models import Ticket

VIEWS = ("mine", "queue", "org", "all")
LIST_LIMIT = 200
OVERLAP = timedelta(seconds=5)  # catch-up looks back this far: a late commit is not missed


def desk_tickets(session: Session, user: User, view: str) -> list[dict[str, Any]]:
    """`mine`: assigned to me; `queue`/`org`: my organisation's; `all`: everything I may see.
    Open tickets only, newest first."""
    stmt = permissions.scope_tickets(select(Ticket.id), user).where(Ticket.is_open.is_(True))
    if view == "mine":
        stmt = stmt.where(Ticket.assignee_id == user.id)
    elif view in ("queue", "org"):
        stmt = stmt.where(Ticket.assigned_org_id == (user.organisation_id or -1))
    ids = list(session.scalars(stmt.order_by(Ticket.id.desc()).limit(LIST_LIMIT)))
    return ticket_summaries(session, ids)


def changes_since(
    session: Session, user: User, since: datetime, known: list[int]
) -> tuple[list[dict[str, Any]], list[int]]:
    """Tickets I may see that changed since `since` (minus an overlap; clients drop what is not
    newer by version), and which of the `known` ids I may no longer see."""
    scoped = permissions.scope_tickets(select(Ticket), user)
    changed = session.scalars(
        scoped.with_only_columns(Ticket.id)
        .where(Ticket.updated_at >= since - OVERLAP)
        .order_by(Ticket.updated_at)
        .limit(500)
    )
    items = ticket_summaries(session, list(changed))
    gone: list[int] = []
    if known:
        visible = set(
            session.scalars(scoped.with_only_columns(Ticket.id).where(Ticket.id.in_(known)))
        )
        gone = [i for i in known if i not in visible]
    return items, gone


def _counts(session: Session, column: Any) -> dict[str, int]:
    rows = session.execute(
        select(column, func.count()).where(Ticket.is_open.is_(True)).group_by(column)
    )
    return {str(stored(key)): int(n) for key, n in rows}


def _local_midnight(now: datetime) -> datetime:
    local = now.astimezone(clock.HANGZHOU)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def _breached_count(session: Session, now: datetime) -> int:
    """Every breached open ticket, counted in SQL (the lists below read at most 200): overdue,
    or a due time of an unmet target passed while not waiting on the enterprise."""
    unmet_passed = or_(
        (TicketSla.responded.is_(False)) & (TicketSla.first_response_due <= now),
        TicketSla.resolution_due <= now,
        TicketSla.next_update_due <= now,
    )
    breached = or_(
        TicketSla.overdue.is_(True),
        TicketSla.paused_at.is_(None) & TicketSla.resolved.is_(False) & unmet_passed,
    )
    return int(
        session.scalar(
            select(func.count())
            .select_from(Ticket)
            .join(TicketSla, TicketSla.ticket_id == Ticket.id)
            .where(Ticket.is_open.is_(True), TicketSla.closed.is_(False), breached)
        )
        or 0
    )


def _sla_lists(session: Session, now: datetime) -> dict[str, Any]:
    soon = now + AT_RISK_WITHIN
    ids = session.scalars(
        select(Ticket.id)
        .join(TicketSla, TicketSla.ticket_id == Ticket.id)
        .where(Ticket.is_open.is_(True), TicketSla.closed.is_(False))
        .where(
            or_(
                TicketSla.overdue.is_(True),
                (TicketSla.responded.is_(False)) & (TicketSla.first_response_due <= soon),
                (TicketSla.resolved.is_(False)) & (TicketSla.resolution_due <= soon),
                TicketSla.next_update_due <= soon,
            )
        )
        .limit(200)
    )
    at_risk: list[dict[str, Any]] = []
    breached: list[dict[str, Any]] = []
    for item in ticket_summaries(session, list(ids), now):
        state = item["sla"]
        if state is None:
            continue
        if state["breached"]:
            breached.append(item)
        elif state["at_risk"]:
            at_risk.append(item)
    for bucket in (at_risk, breached):
        bucket.sort(key=lambda t: (t["sla"] or {}).get("due") or "")
    return {
        "at_risk": at_risk,
        "breached": breached,
        "at_risk_count": len(at_risk),
        "breached_count": max(len(breached), _breached_count(session, now)),
    }


def _waiting(session: Session, now: datetime) -> list[dict[str, Any]]:
    calls = session.scalars(
        select(CallRecord)
        .where(CallRecord.status == CallStatus.RINGING)
        .order_by(CallRecord.ring_at)
        .limit(100)
    )
    waiting = [
        {
            "kind": "call",
            "id": c.call_id,
            "who": c.enterprise.name if c.enterprise else (c.caller_city or ""),
            "queue": c.queue,
            "since": c.ring_at.isoformat(),
            "wait_seconds": int((now - c.ring_at).total_seconds()),
            # only a call waiting in the centre's queue can be handed to a named agent
            "handable": phone_queue.is_waiting(c),
            "offered_to": (c.ivr_state or {}).get("offered_to"),
        }
        for c in calls
    ]
    waiting.extend(chat_queries.waiting_for_wallboard(session, now))
    waiting.sort(key=lambda w: -int(w["wait_seconds"] or 0))
    for place, entry in enumerate(waiting, start=1):  # one line for phone and chat alike
        entry["position"] = place
    return waiting


def _today(session: Session, now: datetime) -> dict[str, Any]:
    start = _local_midnight(now)
    received = session.scalar(select(func.count(Ticket.id)).where(Ticket.created_at >= start))
    calls = session.execute(
        select(
            func.count(CallRecord.id),
            func.count(CallRecord.answer_at),
            func.count(CallRecord.id).filter(CallRecord.missed.is_(True)),
            func.avg(CallRecord.wait_seconds),
        ).where(CallRecord.ring_at >= start)
    ).one()
    total, answered, missed, avg_wait = calls
    firsts = session.execute(
        select(Ticket.created_at, Ticket.first_response_at).where(
            Ticket.created_at >= start, Ticket.first_response_at.is_not(None)
        )
    ).all()
    first_response = (
        sum((f - c).total_seconds() for c, f in firsts if f is not None) / len(firsts)
        if firsts
        else None
    )
    return {
        "received": int(received or 0),
        "calls": int(total or 0),
        "answered": int(answered or 0),
        "abandoned_rate": round(int(missed or 0) / total, 3) if total else 0.0,
        "average_wait_seconds": round(float(avg_wait), 1) if avg_wait is not None else None,
        "first_response_seconds": round(first_response, 1) if first_response is not None else None,
    }


def _agents(session: Session) -> list[dict[str, Any]]:
    people = session.scalars(
        select(User)
        .where(User.role.in_([Role.AGENT, Role.SUPERVISOR]), User.active.is_(True))
        .order_by(User.name)
    )
    states = presence.everyone()
    out = []
    for person in people:
        state = states.get(person.id) or {"state": presence.OFFLINE, "since": None}
        out.append(
            {
                "id": person.id,
                "name": person.name,
                "role": person.role.value,
                "organisation_id": person.organisation_id,
                "extension": person.extension,
                "state": state["state"],
                "since": state.get("since"),
                "reason": state.get("reason"),
            }
        )
    return out


def _targets(session: Session) -> list[dict[str, Any]]:
    orgs = session.scalars(
        select(Organisation)
        .where(Organisation.status == OrgStatus.ACTIVE)
        .order_by(Organisation.kind != OrgKind.SERVICE_CENTRE, Organisation.name)
    )
    return [{"id": o.id, "name": o.name, "kind": o.kind.value} for o in orgs]


def wallboard(session: Session, now: datetime | None = None) -> dict[str, Any]:
    now = now or clock.now()
    platforms: dict[str, int] = {}
    for code, n in _counts(session, Ticket.category_code).items():
        top = code.split("/", 1)[0]
        platforms[top] = platforms.get(top, 0) + n
    agents = _agents(session)
    return {
        "counts": {
            "channel": _counts(session, Ticket.channel),
            "platform": platforms,
            "district": _counts(session, Ticket.district_code),
        },
        "waiting": _waiting(session, now),
        "agents": agents,
        "sla": _sla_lists(session, now),
        "today": _today(session, now),
        "targets": {"organisations": _targets(session), "agents": agents},
        "cursor": now.isoformat(),
    }
