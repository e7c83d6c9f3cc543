"""One year at a glance for the calendar page: each month as weeks of days, each day marked
holiday, 调休 working day, weekend or working day, with its name where it has one."""

from __future__ import annotations

import calendar as months
from dataclasses import dataclass
from datetime import date

import chinese_calendar

from helpdesk.sla.calendar import WorkingDays, YearData

LIBRARY_NAMES = {h.value: getattr(h, "chinese", h.value) for h in chinese_calendar.Holiday}


@dataclass(frozen=True)
class Day:
    day: date
    state: str  # holiday | workday (调休) | weekend | working
    name: str = ""


@dataclass(frozen=True)
class Month:
    number: int
    weeks: list[list[Day | None]]  # Monday first; None pads the first and last week


def _name(day: date, data: YearData | None, library: bool) -> str:
    if data is not None:
        return data.names.get(day, "")
    if library:
        try:
            _on, name = chinese_calendar.get_holiday_detail(day)
        except NotImplementedError:
            return ""
        return LIBRARY_NAMES.get(name, name or "") if name else ""
    return ""


def year_at_a_glance(year: int, days: WorkingDays, source: str) -> list[Month]:
    data = days.years.get(year)
    library = source == "library"
    result = []
    for number in range(1, 13):
        weeks: list[list[Day | None]] = []
        for week in months.Calendar(firstweekday=0).monthdatescalendar(year, number):
            row: list[Day | None] = []
            for d in week:
                if d.month != number:
                    row.append(None)
                    continue
                working = days.is_workday(d)
                weekend = d.weekday() >= 5
                if working and weekend:
                    state = "workday"
                elif not working and not weekend:
                    state = "holiday"
                elif not working:
                    # a weekend inside a holiday run is the holiday's too (国庆 on a Saturday)
                    named = _name(d, data, library)
                    holiday = data is not None and d in data.holidays
                    state = "holiday" if holiday or (library and named) else "weekend"
                else:
                    state = "working"
                row.append(Day(d, state, _name(d, data, library) if state != "working" else ""))
            weeks.append(row)
        result.append(Month(number, weeks))
    return result
