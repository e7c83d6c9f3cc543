"""Reads: the scoped, filtered, keyset-paginated ticket list and a ticket's timeline.

Pages are ordered newest first by id and continue from the last id seen (`before`), so a deep
page costs the same as the first; the composite indexes on Ticket serve each filter.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, selectinload

from helpdesk import clock
from helpdesk.auth import permissions
from helpdesk.auth.models import User
from helpdesk.directory.models import Enterprise
from helpdesk.errors import InvalidInput
from helpdesk.ids import required_row_id
from helpdesk.tickets import public
from helpdesk.tickets.models import (
    Channel,
    Comment,
    Priority,
    Status,
    Ticket,
    TicketEvent,
    TicketType,
)

MAX_PAGE = 100
OPEN = "open"  # status filter meaning every open status, served by the is_open indexes
NO_INDUSTRY = "-"  # industry filter: enterprises whose industry is not filled in


@dataclass
class TicketFilter:
    status: str | None = None  # a Status value or "open"
    organisation_id: int | None = None
    assignee_id: int | None = None
    enterprise_id: int | None = None
    category: str | None = None  # exact code, or a platform such as "finance" for its subtree
    district: str | None = None
    channel: str | None = None
    type: str | None = None
    priority: str | None = None
    # Created on these Hangzhou days, both included (YYYY-MM-DD): the statistics drill down here.
    created_from: str | None = None
    created_to: str | None = None
    industry: str | None = None  # the enterprise's industry, or NO_INDUSTRY

    @classmethod
    def from_args(cls, args: Any) -> TicketFilter:
        """From query-string arguments; unknown enum values are InvalidInput naming the field."""
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = args.get(f.name)
            if raw in (None, ""):
                continue
            if f.name.endswith("_id"):
                message = f"{f.name} must be an id (a whole number)"
                values[f.name] = required_row_id(raw, f.name, message)
            else:
                values[f.name] = str(raw)
        result = cls(**values)
        result.validate()
        return result

    def validate(self) -> None:
        checks = {
            "status": [s.value for s in Status] + [OPEN],
            "channel": [c.value for c in Channel],
            "type": [t.value for t in TicketType],
            "priority": [p.value for p in Priority],
        }
        for name, allowed in checks.items():
            value = getattr(self, name)
            if value is not None and value not in allowed:
                raise InvalidInput(
                    f"{name} must be one of {', '.join(allowed)}; got {value!r}", field=name
                )
        for name in ("created_from", "created_to"):
            _day(getattr(self, name), name)

    def apply(self, stmt: Select[Any]) -> Select[Any]:
        if self.status == OPEN:
            stmt = stmt.where(Ticket.is_open.is_(True))
        elif self.status:
            stmt = stmt.where(Ticket.status == Status(self.status))
        if self.organisation_id is not None:
            stmt = stmt.where(Ticket.assigned_org_id == self.organisation_id)
        if self.assignee_id is not None:
            stmt = stmt.where(Ticket.assignee_id == self.assignee_id)
        if self.enterprise_id is not None:
            stmt = stmt.where(Ticket.enterprise_id == self.enterprise_id)
        if self.category:
            if "/" in self.category:
                stmt = stmt.where(Ticket.category_code == self.category)
            else:
                # A platform holds a fifth of all tickets: walking the id order and filtering
                # finds a page at once, while an index range on the code would sort them all.
                prefix = self.category + "/"
                stmt = stmt.where(func.substr(Ticket.category_code, 1, len(prefix)) == prefix)
        if self.district:
            stmt = stmt.where(Ticket.district_code == self.district)
        if self.channel:
            stmt = stmt.where(Ticket.channel == Channel(self.channel))
        if self.type:
            stmt = stmt.where(Ticket.type == TicketType(self.type))
        if self.priority:
            stmt = stmt.where(Ticket.priority == Priority(self.priority))
        first, last = _day(self.created_from, "created_from"), _day(self.created_to, "created_to")
        if first is not None:
            stmt = stmt.where(Ticket.created_at >= clock.local_day_start(first))
        if last is not None:
            stmt = stmt.where(Ticket.created_at < clock.local_day_start(last + timedelta(days=1)))
        if self.industry:
            industry = (
                Enterprise.industry.is_(None)
                if self.industry == NO_INDUSTRY
                else Enterprise.industry == self.industry
            )
            stmt = stmt.where(Ticket.enterprise_id.in_(select(Enterprise.id).where(industry)))
        return stmt


def _day(text: str | None, name: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        message = f"{name} must be a date (YYYY-MM-DD); got {text!r}"
        raise InvalidInput(message, field=name) from None


# What a list page shows of each ticket, fetched in one IN query per relationship.
PAGE_LOADS = (
    selectinload(Ticket.category),
    selectinload(Ticket.district),
    selectinload(Ticket.enterprise),
    selectinload(Ticket.assigned_org),
    selectinload(Ticket.assignee),
)


@dataclass
class Page:
    tickets: list[Ticket]
    next_before: int | None  # pass as `before` for the next page; None on the last page


def list_statement(
    user: User, filters: TicketFilter, before: int | None = None, limit: int = 50
) -> Select[Any]:
    stmt: Select[Any] = permissions.scope_tickets(select(Ticket), user)
    stmt = filters.apply(stmt)
    if before is not None:
        stmt = stmt.where(Ticket.id < before)
    return stmt.order_by(Ticket.id.desc()).limit(limit)


def list_tickets(
    session: Session,
    user: User,
    filters: TicketFilter,
    before: int | None = None,
    limit: int = 50,
) -> Page:
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidInput(f"limit must be between 1 and {MAX_PAGE}", field="limit")
    stmt = list_statement(user, filters, before, limit + 1).options(*PAGE_LOADS)
    rows: list[Ticket] = list(session.scalars(stmt))
    more = len(rows) > limit
    rows = rows[:limit]
    return Page(rows, rows[-1].id if more and rows else None)


def count_tickets(session: Session, user: User, filters: TicketFilter) -> int:
    stmt = filters.apply(permissions.scope_tickets(select(func.count(Ticket.id)), user))
    return int(session.scalar(stmt) or 0)


def timeline(session: Session, user: User, ticket: Ticket) -> list[TicketEvent]:
    """The ticket's events oldest first; internal ones only for staff and providers, and for
    an enterprise only the kinds meant for it (helpdesk.tickets.public)."""
    stmt = select(TicketEvent).where(TicketEvent.ticket_id == ticket.id)
    if not permissions.can_see_internal(user):
        stmt = stmt.where(
            TicketEvent.internal.is_(False), TicketEvent.kind.in_(list(public.PUBLIC_FACTS))
        )
    return list(
        session.scalars(stmt.order_by(TicketEvent.id).options(selectinload(TicketEvent.actor)))
    )


def comments(session: Session, user: User, ticket: Ticket) -> list[Comment]:
    stmt = select(Comment).where(Comment.ticket_id == ticket.id)
    if not permissions.can_see_internal(user):
        stmt = stmt.where(Comment.internal.is_(False))
    return list(session.scalars(stmt.order_by(Comment.id).options(selectinload(Comment.author))))
