"""The dashboard's daily rollup: closed Hangzhou days counted once, so a panel reads a few
rows per day instead of every ticket.

- The worker's maintenance run (`maintain`) rolls each closed day not yet rolled, and re-rolls
  every closed day whose tickets changed since its last run (a ticket's every change sets its
  `updated_at`, helpdesk/tickets/service.py), then records how far it looked
  (`stats_rollup_state`: the time, and the last ticket, since a ticket may be added with an
  earlier day, as an import does).
- A panel (helpdesk/stats/queries.py) reads the rollup for the period's rolled days and the
  tickets themselves for the others (`live_days`): today, days not rolled yet, and days with
  a ticket changed or added since the last run. Both give rows of the same shape, so every figure is
  exactly the live count, however stale the rollup.

MARGIN covers a change whose transaction commits a little after its `updated_at` was taken.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    String,
    cast,
    delete,
    func,
    insert,
    literal,
    literal_column,
    or_,
    select,
)
from sqlalchemy.orm import Session

from helpdesk import clock
from helpdesk.directory.models import ServiceCategory
from helpdesk.stats import months
from helpdesk.stats.models import StatsDay, StatsRolledDay, StatsRollupState
from helpdesk.tickets.models import Ticket

log = logging.getLogger(__name__)

MARGIN = timedelta(minutes=5)
DAYS_PER_RUN = 31  # a backfill spreads over runs; days not rolled yet are counted live
# Hangzhou has kept UTC+8 all year since 1991: a fixed shift gives the local day in SQL.
HANGZHOU_OFFSET_HOURS = 8


def local_day(session: Session, at: Any) -> ColumnElement[str]:
    """The Hangzhou date (YYYY-MM-DD) of a UTC datetime column, as text."""
    if session.get_bind().dialect.name == "postgresql":
        shifted = at + literal_column(f"interval '{HANGZHOU_OFFSET_HOURS} hours'")
        return func.to_char(shifted, "YYYY-MM-DD")
    return func.strftime("%Y-%m-%d", at, f"+{HANGZHOU_OFFSET_HOURS} hours")


def platform() -> ColumnElement[str]:
    """A ticket's service platform: the top of its category."""
    return func.coalesce(ServiceCategory.parent_code, ServiceCategory.code)


def ticket_rows(session: Session) -> Select[*tuple[Any, ...]]:
    """One row per ticket, shaped like a stats_day row counting one ticket."""
    return select(
        local_day(session, Ticket.created_at).label("day"),
        Ticket.enterprise_id.label("enterprise_id"),
        Ticket.district_code.label("district"),
        platform().label("platform"),
        Ticket.channel.label("channel"),
        Ticket.assigned_org_id.label("organisation_id"),
        literal(1).label("tickets"),
    ).join(ServiceCategory, ServiceCategory.code == Ticket.category_code)


def during(days: list[date]) -> ColumnElement[bool]:
    """Tickets created on any of these Hangzhou days: one range per run of consecutive days."""
    ranges, ordered = [], sorted(days)
    first = previous = ordered[0]
    for day in [*ordered[1:], None]:
        if day is not None and day == previous + timedelta(days=1):
            previous = day
            continue
        ranges.append(
            (Ticket.created_at >= clock.local_day_start(first))
            & (Ticket.created_at < clock.local_day_start(previous + timedelta(days=1)))
        )
        if day is not None:
            first = previous = day
    return or_(*ranges)


def _local_date(at: datetime) -> date:
    return at.astimezone(clock.HANGZHOU).date()


def _touched(session: Session, state: StatsRollupState, first: date, last: date) -> set[date]:
    """Days in first..last with a ticket changed since the state's check, or added after it."""
    # Two queries on their own indexes (updated_at, the id), the period checked here: with
    # the period (or an OR) in SQL, SQLite walked every ticket of the period (0.6 s a year),
    # while the tickets changed since the last run are few.
    changed = select(Ticket.created_at).where(Ticket.updated_at >= state.checked_until - MARGIN)
    added = select(Ticket.created_at).where(Ticket.id > state.last_ticket_id)
    days = {_local_date(at) for stmt in (changed, added) for at in session.scalars(stmt)}
    return {d for d in days if first <= d <= last}


def live_days(session: Session, first: date, last: date) -> set[date]:
    """The days of first..last whose figures must come from the tickets, not the rollup."""
    today = clock.local_today_date()
    days = {first + timedelta(days=n) for n in range((last - first).days + 1)}
    rolled = {
        date.fromisoformat(d)
        for d in session.scalars(
            select(StatsRolledDay.day).where(
                StatsRolledDay.day >= first.isoformat(), StatsRolledDay.day <= last.isoformat()
            )
        )
    }
    live = {d for d in days if d >= today or d not in rolled}
    state = session.get(StatsRollupState, 1)
    if rolled and state is not None:
        live |= _touched(session, state, first, last) & days
    return live


def roll_day(session: Session, day: date) -> None:
    """Replace the day's rows (stats_day, stats_org_day) with a fresh count (the caller
    commits)."""
    from helpdesk.loop import scorecards  # the loop reads the stats; this only feeds it

    text = day.isoformat()
    session.execute(delete(StatsDay).where(StatsDay.day == text))
    rows = ticket_rows(session).where(during([day])).subquery()
    grouped = select(
        cast(literal(text), String(10)),
        rows.c.enterprise_id,
        rows.c.district,
        rows.c.platform,
        rows.c.channel,
        rows.c.organisation_id,
        func.count(),
    ).group_by(
        rows.c.enterprise_id,
        rows.c.district,
        rows.c.platform,
        rows.c.channel,
        rows.c.organisation_id,
    )
    columns = ["day", "enterprise_id", "district", "platform", "channel", "organisation_id"]
    session.execute(insert(StatsDay).from_select([*columns, "tickets"], grouped))
    scorecards.roll_day(session, day)  # the day's scorecard sums, rolled with it
    session.merge(StatsRolledDay(day=text, rolled_at=clock.now()))


def maintain(
    session: Session, limit: int = DAYS_PER_RUN, month_limit: int = months.MONTHS_PER_RUN
) -> int:
    """One maintenance step: re-roll changed closed days, roll up to `limit` missing ones,
    committing each; how many days were rolled."""
    started = clock.now()
    last_ticket_id = session.scalar(select(func.max(Ticket.id))) or 0
    today = clock.local_today_date()
    oldest = session.scalar(select(func.min(Ticket.created_at)))
    state = session.get(StatsRollupState, 1)
    if oldest is None or today <= _local_date(oldest):
        return 0
    first, yesterday = _local_date(oldest), today - timedelta(days=1)
    rolled = {date.fromisoformat(d) for d in session.scalars(select(StatsRolledDay.day))}
    due: set[date] = set()
    if state is not None:
        due = _touched(session, state, first, yesterday) & rolled
    missing = [
        first + timedelta(days=n)
        for n in range((yesterday - first).days + 1)
        if first + timedelta(days=n) not in rolled
    ]
    todo = sorted(due) + missing[-limit:][::-1]  # the most recent missing days first
    for day in todo:
        roll_day(session, day)
        session.commit()
    # then the months over (helpdesk/stats/months.py): changed ones, then never rolled ones
    for month in months.due(session, first, yesterday, month_limit):
        months.roll_month(session, month)
        session.commit()
    state = session.get(StatsRollupState, 1) or StatsRollupState(id=1)
    state.checked_until, state.last_ticket_id = started, last_ticket_id
    session.add(state)
    session.commit()
    if todo:
        log.info("statistics rollup: rolled %d days", len(todo))
    return len(todo)


def maintain_all(session: Session) -> int:
    """Roll every closed day and month now (the CLI and the benchmark); how many days."""
    return maintain(session, limit=1_000_000, month_limit=1_000_000)
