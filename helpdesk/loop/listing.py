"""The 回访 list a supervisor works through: filters (state, due or overdue, organisation,
the day a task entered the list), a page at a time with the total, most overdue first.

A call back is due the day its ticket is resolved (the task's `created_at`); from the next day
on it is overdue. The model holds no other due date."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, joinedload
from werkzeug.datastructures import MultiDict
from wtforms import Form, SelectField
from wtforms.validators import Optional

from helpdesk import clock
from helpdesk.loop.models import CALLBACK, DONE, OPEN, UNREACHABLE, FollowUp
from helpdesk.tickets.models import Ticket
from helpdesk.web.day_field import day_field

PAGE_SIZE = 30
ANY = ("", _l("Any"))
STATES = {OPEN: _l("To call back"), DONE: _l("Call back done"), UNREACHABLE: _l("Unreachable")}
DUE = {"today": _l("Due today"), "overdue": _l("Overdue call back")}


class CallbackFilterForm(Form):
    """A GET form that changes nothing, so it needs no CSRF token (as the tickets list's)."""

    state = SelectField(_l("Call-back state"), validate_choice=False, default=OPEN)
    due = SelectField(_l("Call-back due"), validate_choice=False)
    organisation_id = SelectField(_l("Organisation"), validate_choice=False)
    resolved_from = day_field(_l("Resolved from"), validators=[Optional()])
    resolved_to = day_field(_l("Resolved to"), validators=[Optional()])

    def fill(self, organisations: list[tuple[str, str]]) -> None:
        self.state.choices = [ANY, *((k, str(v)) for k, v in STATES.items())]
        self.due.choices = [ANY, *((k, str(v)) for k, v in DUE.items())]
        self.organisation_id.choices = [ANY, *organisations]


@dataclass
class CallbackFilter:
    state: str | None = OPEN
    due: str | None = None
    organisation_id: int | None = None
    resolved_from: date | None = None
    resolved_to: date | None = None
    page: int = 1

    @classmethod
    def from_form(cls, form: CallbackFilterForm, args: MultiDict[str, str]) -> CallbackFilter:
        """Values that are not choices are ignored (a stale link shows the list, never a 500);
        a day that is not a day is the form's error."""
        state = args.get("state", OPEN)
        org = args.get("organisation_id", "")
        page = args.get("page", "1")
        return cls(
            state=state if state in STATES else None,
            due=args.get("due") if args.get("due") in DUE else None,
            organisation_id=int(org) if org.isdigit() and len(org) < 10 else None,
            resolved_from=form.resolved_from.data,
            resolved_to=form.resolved_to.data,
            page=min(int(page), 100_000) if page.isdigit() and int(page) > 0 else 1,
        )


@dataclass
class CallbackPage:
    tasks: list[FollowUp]
    total: int
    page: int
    last: int
    today: date

    def days_overdue(self, task: FollowUp) -> int:
        """Whole days since the day the task was due (0: due today)."""
        return (self.today - task.created_at.astimezone(clock.HANGZHOU).date()).days


def _filtered(stmt: Select[Any], wanted: CallbackFilter, today_start: datetime) -> Select[Any]:
    stmt = stmt.where(FollowUp.kind == CALLBACK)
    if wanted.state:
        stmt = stmt.where(FollowUp.state == wanted.state)
    if wanted.due == "today":
        stmt = stmt.where(FollowUp.created_at >= today_start)
    elif wanted.due == "overdue":
        stmt = stmt.where(FollowUp.created_at < today_start)
    if wanted.organisation_id is not None:
        stmt = stmt.join(Ticket, Ticket.id == FollowUp.ticket_id).where(
            Ticket.assigned_org_id == wanted.organisation_id
        )
    if wanted.resolved_from is not None:
        stmt = stmt.where(FollowUp.created_at >= clock.local_day_start(wanted.resolved_from))
    if wanted.resolved_to is not None:
        day_after = wanted.resolved_to + timedelta(days=1)
        stmt = stmt.where(FollowUp.created_at < clock.local_day_start(day_after))
    return stmt


def callbacks(session: Session, wanted: CallbackFilter) -> CallbackPage:
    """One page; the oldest first (the most overdue caller waits longest), then by id so pages
    never overlap. A page past the last shows the last."""
    today = clock.local_today_date()
    today_start = clock.local_day_start(today)
    total = session.scalar(_filtered(select(func.count(FollowUp.id)), wanted, today_start)) or 0
    last = max(1, -(-total // PAGE_SIZE))
    number = min(wanted.page, last)
    tasks = session.scalars(
        _filtered(select(FollowUp), wanted, today_start)
        .options(joinedload(FollowUp.ticket).joinedload(Ticket.contact))
        .order_by(FollowUp.created_at, FollowUp.id)
        .offset((number - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE)
    )
    return CallbackPage(list(tasks), total, number, last, today)
