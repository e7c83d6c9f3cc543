"""Reads of call records for the API: scoped like tickets, filtered, newest first in keyset pages.

Staff see every call; provider staff the calls whose ticket their organisation holds; an
enterprise user the calls matched to their enterprise; anyone else none.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, false, or_, select
from sqlalchemy.orm import Session

from helpdesk.auth.models import Role, User
from helpdesk.channels.phone import callers
from helpdesk.channels.phone.causes import CallOutcome
from helpdesk.channels.phone.models import CallDirection, CallRecord, CallStatus
from helpdesk.errors import InvalidInput, NotFound
from helpdesk.tickets.models import Ticket


def scope_calls(stmt: Select[Any], user: User) -> Select[Any]:
    if user.is_staff:
        return stmt
    if user.role is Role.PROVIDER and user.organisation_id is not None:
        held = select(Ticket.id).where(Ticket.assigned_org_id == user.organisation_id)
        return stmt.where(CallRecord.ticket_id.in_(held))
    if user.role is Role.ENTERPRISE and user.enterprise_id is not None:
        return stmt.where(CallRecord.enterprise_id == user.enterprise_id)
    return stmt.where(false())


@dataclass(frozen=True)
class CallFilter:
    since: datetime | None = None  # rang at or after
    until: datetime | None = None  # rang before
    direction: CallDirection | None = None
    status: CallStatus | None = None
    outcome: CallOutcome | None = None
    agent_id: int | None = None  # who answered
    number: str | None = None  # the caller's or the dialled number, in any usual spelling

    def apply(self, stmt: Select[Any]) -> Select[Any]:
        if self.since is not None and self.until is not None and self.until <= self.since:
            raise InvalidInput("until must be later than since", field="until")
        if self.since is not None:
            stmt = stmt.where(CallRecord.ring_at >= self.since)
        if self.until is not None:
            stmt = stmt.where(CallRecord.ring_at < self.until)
        if self.direction is not None:
            stmt = stmt.where(CallRecord.direction == self.direction)
        if self.status is not None:
            stmt = stmt.where(CallRecord.status == self.status)
        if self.outcome is not None:
            stmt = stmt.where(CallRecord.outcome == self.outcome)
        if self.agent_id is not None:
            stmt = stmt.where(CallRecord.answered_by_id == self.agent_id)
        if self.number:
            e164 = callers.identify_number(self.number).e164
            spelled = [CallRecord.from_number == self.number, CallRecord.to_number == self.number]
            if e164 is not None:
                spelled.append(CallRecord.caller_e164 == e164)
            stmt = stmt.where(or_(*spelled))
        return stmt


@dataclass(frozen=True)
class CallPage:
    calls: list[CallRecord]
    next_before: int | None


def list_calls(
    session: Session, user: User, filters: CallFilter, before: int | None, limit: int
) -> CallPage:
    stmt = filters.apply(scope_calls(select(CallRecord), user))
    if before is not None:
        stmt = stmt.where(CallRecord.id < before)
    rows = list(session.scalars(stmt.order_by(CallRecord.id.desc()).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    return CallPage(rows, rows[-1].id if more and rows else None)


def get_call(session: Session, user: User, call_id: str) -> CallRecord:
    """One call the user may see; NotFound alike for a missing one and one out of scope."""
    stmt = scope_calls(select(CallRecord).where(CallRecord.call_id == call_id), user)
    found = session.scalars(stmt).first()
    if found is None:
        raise NotFound(f"no call {call_id}", field="call_id")
    return found
