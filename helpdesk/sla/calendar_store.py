"""The business calendar with the years entered by hand (issue 13 item 6), for the SLA clock.

Which days are working days, per year: a year entered in the operations console (the
`calendar_year` / `calendar_day` tables) first, then a year file, then the chinese-calendar
package, then Monday to Friday (see `calendar.py`). The calendar is built once and kept
while the entered years' version (helpdesk.reference_version: their count and the sum of their
version counters, which every change to a year's days bumps) stays the same, so a day entered in
one process changes the due times computed in every other within
reference_version.CHECK_EVERY.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from helpdesk import clock, reference_version
from helpdesk.reference_version import Version
from helpdesk.sla import calendar
from helpdesk.sla.calendar import BusinessCalendar, WorkingDays, YearData
from helpdesk.sla.models import CalendarDay, CalendarYear

HOLIDAY, WORKDAY = "holiday", "workday"
WARN_FROM_MONTH = 11  # from 1 November, next year's holidays must be in

# Read for every SLA event (a seeded or busy installation: many a second), so the calendar is
# kept while the entered years' version (helpdesk.reference_version, read at most every CHECK_EVERY)
# stays the same; the process that made the change forgets at once.
_cache: dict[Any, tuple[Version, BusinessCalendar]] = {}


def entered_years(session: Session) -> dict[int, YearData]:
    """Every year with at least one day entered by hand."""
    days: dict[int, list[CalendarDay]] = {}
    for row in session.scalars(select(CalendarDay).order_by(CalendarDay.day)):
        days.setdefault(row.year, []).append(row)
    sources: dict[int, str] = {
        year: source
        for year, source in session.execute(select(CalendarYear.year, CalendarYear.source))
    }
    return {
        year: YearData(
            year,
            frozenset(d.day for d in rows if d.kind == HOLIDAY),
            frozenset(d.day for d in rows if d.kind == WORKDAY),
            sources.get(year) or "",
            {d.day: d.name for d in rows},
        )
        for year, rows in days.items()
    }


def working_days(session: Session) -> WorkingDays:
    from helpdesk.sla.holidays import load_years, sla_folder

    files, _errors = load_years(sla_folder() / "calendar")  # errors: logged at startup
    return WorkingDays({**files, **entered_years(session)})


def business_calendar(session: Session) -> BusinessCalendar:
    """The installation's business calendar, with the years entered by hand; also made the
    process's default (the routing `time` condition, the chat's and phone's opening hours)."""
    key = reference_version.database(session)
    version = reference_version.of(session, "calendar")
    cached = _cache.get(key)
    if cached is not None and cached[0] == version and calendar._default is cached[1]:
        return cached[1]
    built = BusinessCalendar("business", working_days(session))
    _cache[key] = (version, built)
    calendar._default = built
    return built


def forget() -> None:
    """Read the entered years again at the next SLA event (and drop the process default built
    from them, which the routing time condition and opening hours use)."""
    reference_version.forget()
    calendar.reset_default()


def missing_years(session: Session, today: date | None = None) -> list[int]:
    """Years whose holidays nobody knows and that matter now: this year always, next year from
    1 November (the State Council publishes it in the autumn; 1 January would count as a
    working day)."""
    today = today or clock.local_today_date()
    wanted = [today.year]
    if today.month >= WARN_FROM_MONTH:
        wanted.append(today.year + 1)
    days = working_days(session)
    return calendar.missing_years(days, range(wanted[0], wanted[-1] + 1))


def source_of(days: WorkingDays, year: int, entered: dict[int, YearData]) -> str:
    """Where a year's days come from: entered | file | library | weekdays."""
    if year in entered:
        return "entered"
    found = days.source(year)
    if found == "data file":
        return "file"
    return "library" if found == "chinese-calendar" else "weekdays"
