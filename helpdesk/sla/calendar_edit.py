"""Entering a year's holidays and 调休 working days by hand (issue 13 item 6), for a year neither
a year file nor the chinese-calendar package knows yet.

Called by the calendar page and `helpdesk sla holiday ...`. Each change is written with its
operations-log row in one transaction; it bumps the year's version, which both refuses a stale
form (two admins on one year) and tells every process's SLA calendar to rebuild
(`calendar_store`). Bad input raises FieldErrors, one message per field.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm.exc import StaleDataError

from helpdesk.console_forms import FieldErrors, VersionConflict
from helpdesk.oplog.record import record_change
from helpdesk.sla.calendar_store import HOLIDAY, WORKDAY
from helpdesk.sla.models import CalendarDay, CalendarYear

MAX_SPAN = 31  # one entry covers at most a month (春节 is 8 days)
NAME_LIMIT = 40
FIRST_YEAR, LAST_YEAR = 2000, 2100


def _day(raw: str, field: str) -> date:
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        raise FieldErrors({field: _("A date like 2027-01-01.")}) from None


def check_year(year: int) -> None:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise FieldErrors({"year": _("A year from %(a)d to %(b)d.", a=FIRST_YEAR, b=LAST_YEAR)})


def _year_row(session: Session, year: int) -> CalendarYear:
    row = session.get(CalendarYear, year)
    if row is None:
        row = CalendarYear(year=year, source="")
        session.add(row)
        session.flush()
    return row


def _ensure_version(row: CalendarYear, version: int | None) -> None:
    if version is not None and row.version != version:
        raise VersionConflict(
            _("Someone else changed %(year)d's calendar after you opened this page. Nothing was "
              "saved: the page now shows their version.", year=row.year),
            field="version",
        )  # fmt: skip


def _commit(session: Session, row: CalendarYear) -> None:
    from helpdesk.sla.calendar_store import forget

    try:
        session.commit()
        forget()  # this process's next SLA event counts with it; the others within seconds
    except StaleDataError:
        session.rollback()
        raise VersionConflict(
            _("Someone else changed %(year)d's calendar after you opened this page. Nothing was "
              "saved: the page now shows their version.", year=row.year),
            field="version",
        ) from None  # fmt: skip


def add_days(
    session: Session,
    actor: Any,
    year: int,
    first: str,
    last: str,
    kind: str,
    name: str,
    version: int | None = None,
) -> list[date]:
    """Enter a holiday (a day or a run of days) or one 调休 working day in `year`."""
    check_year(year)
    errors: dict[str, str] = {}
    if kind not in (HOLIDAY, WORKDAY):
        errors["kind"] = _("Choose holiday or working day.")
    label = name.strip()
    if not label:
        errors["name"] = _("Name it, e.g. Spring Festival or Spring Festival make-up day.")
    elif len(label) > NAME_LIMIT:
        errors["name"] = _("At most %(n)d characters.", n=NAME_LIMIT)
    start = end = None
    try:
        start = _day(first, "first")
    except FieldErrors as exc:
        errors.update(exc.errors)
    if start is not None and start.year != year:
        errors["first"] = _("%(day)s is not in %(year)d.", day=start.isoformat(), year=year)
    if start is not None and "first" not in errors:
        end = start
        if last.strip():
            try:
                end = _day(last, "last")
            except FieldErrors as exc:
                errors.update(exc.errors)
                end = None
            if end is not None and end.year != year:
                errors["last"] = _("%(day)s is not in %(year)d.", day=end.isoformat(), year=year)
            elif end is not None and end < start:
                errors["last"] = _("The last day is before the first.")
            elif end is not None and (end - start).days >= MAX_SPAN:
                errors["last"] = _("At most %(n)d days at once.", n=MAX_SPAN)
    if start is not None and end is not None and not errors:
        if kind == WORKDAY and start != end:
            errors["last"] = _("A make-up working day is entered one day at a time.")
        elif kind == WORKDAY and start.weekday() < 5:
            errors["first"] = _(
                "%(day)s is a weekday, already a working day; a make-up working day is a Saturday "
                "or Sunday.",
                day=start.isoformat(),
            )
        else:
            days = [start + timedelta(days=i) for i in range((end - start).days + 1)]
            taken = session.scalars(select(CalendarDay).where(CalendarDay.day.in_(days))).all()
            if taken:
                errors["first"] = _(
                    "%(day)s is already entered (%(name)s); remove it first.",
                    day=taken[0].day.isoformat(),
                    name=taken[0].name,
                )
    if errors:
        raise FieldErrors(errors)
    assert start is not None and end is not None
    row = _year_row(session, year)
    _ensure_version(row, version)
    days = [start + timedelta(days=i) for i in range((end - start).days + 1)]
    session.add_all(CalendarDay(day=d, year=year, kind=kind, name=label) for d in days)
    flag_modified(row, "source")  # the year's version moves with its days
    record_change(
        session, actor, "calendar.days_added", "calendar", year, str(year), None,
        {"dates": [d.isoformat() for d in days], "day_kind": kind, "name": label},
    )  # fmt: skip
    _commit(session, row)
    return days


def remove_day(
    session: Session, actor: Any, year: int, raw_day: str, version: int | None = None
) -> None:
    check_year(year)
    day = _day(raw_day, "day")
    found = session.get(CalendarDay, day)
    if found is None or found.year != year:
        raise FieldErrors({"day": _("%(day)s is not entered.", day=day.isoformat())})
    row = _year_row(session, year)
    _ensure_version(row, version)
    before = {"dates": [day.isoformat()], "day_kind": found.kind, "name": found.name}
    session.delete(found)
    flag_modified(row, "source")
    record_change(session, actor, "calendar.day_removed", "calendar", year, str(year), before,
                  None)  # fmt: skip
    _commit(session, row)


def year_version(session: Session, year: int) -> int | None:
    row = session.get(CalendarYear, year)
    return row.version if row else None
