"""Year files: statutory holidays and swapped working days (调休) added as data, not code.

``routing_rules/sla/calendar/2027.yaml``::

    year: 2027
    source: 国务院办公厅关于2027年部分节假日安排的通知
    holidays:
      - {name: 元旦, from: 2027-01-01, to: 2027-01-03}
    workdays:
      - {name: 春节调休, date: 2027-02-06}

A file with any error (a date that does not exist, a date outside its year, a day that is both
a holiday and a working day) is not used: the error is logged with its file, line and field and
reported by `helpdesk sla check`; that year falls back as if the file were absent.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, model_validator

from helpdesk.settings import settings
from helpdesk.sla.calendar import WorkingDays, YearData
from helpdesk.sla.policies import DataFileError, FileError
from helpdesk.yamlcheck.errors import _
from helpdesk.yamlcheck.read import describe
from helpdesk.yamlcheck.validate import Spec, fail, load

log = logging.getLogger(__name__)

SLA_FOLDER = Path(__file__).resolve().parent.parent.parent / "routing_rules" / "sla"


def sla_folder() -> Path:
    """HELPDESK_SLA_FOLDER, or routing_rules/sla beside the routing rules."""
    return settings().sla_folder or SLA_FOLDER


def _day(value: Any) -> date:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise fail(_("%(value)s is not a date (YYYY-MM-DD)", value=value)) from None


Day = Annotated[date, BeforeValidator(_day)]


class HolidaySpec(Spec):
    name: str | None = None
    first: Day | None = Field(None, alias="from")
    to: Day | None = None
    date: Day | None = None

    @model_validator(mode="after")
    def _dated(self) -> HolidaySpec:
        if self.first is None and self.date is None:
            raise fail(_("a date is required (from/date)"))
        return self


class WorkdaySpec(Spec):
    name: str | None = None
    date: Day


class YearFile(Spec):
    year: int
    source: str | None = None
    holidays: list[HolidaySpec] | None = None
    workdays: list[WorkdaySpec] | None = None


def parse_year(text: str, file: str) -> YearData:
    spec, doc = load(text, file, YearFile)
    errors: list[FileError] = []
    year = spec.year
    stem = Path(file).stem
    if stem.isdigit() and int(stem) != year:
        errors.append(
            FileError(
                file,
                doc.line(("year",)),
                "year",
                _(
                    "the file %(file)s must describe %(stem)s, not %(year)s",
                    file=file,
                    stem=stem,
                    year=year,
                ),
            )
        )

    def outside(day: date, path: tuple[str | int, ...]) -> bool:
        if day.year == year:
            return False
        errors.append(
            FileError(
                file,
                doc.line(path),
                describe(path),
                _("%(day)s is not in %(year)s", day=day.isoformat(), year=year),
            )
        )
        return True

    holidays: set[date] = set()
    names: dict[date, str] = {}
    for i, item in enumerate(spec.holidays or []):
        key = "from" if item.first is not None else "date"
        first = item.first or item.date
        last = item.to or first
        assert first is not None and last is not None  # HolidaySpec requires one
        if outside(first, ("holidays", i, key)) or outside(last, ("holidays", i, "to")):
            continue
        if last < first:
            errors.append(
                FileError(
                    file,
                    doc.line(("holidays", i, "to")),
                    f"holidays[{i}].to",
                    _("%(last)s is before %(first)s", last=last, first=first),
                )
            )
        day = first
        while day <= last:
            holidays.add(day)
            names[day] = item.name or ""
            day += timedelta(days=1)
    workdays: set[date] = set()
    for i, work in enumerate(spec.workdays or []):
        path = ("workdays", i, "date")
        if outside(work.date, path):
            continue
        if work.date in holidays:
            errors.append(
                FileError(
                    file,
                    doc.line(path),
                    describe(path),
                    _(
                        "%(day)s is listed both as a holiday and a working day",
                        day=work.date.isoformat(),
                    ),
                )
            )
        workdays.add(work.date)
        names[work.date] = work.name or ""
    if errors:
        raise DataFileError(errors)
    return YearData(year, frozenset(holidays), frozenset(workdays), spec.source or file, names)


def load_years(folder: Path) -> tuple[dict[int, YearData], list[FileError]]:
    """Every valid year file in `folder`, and the errors of the others."""
    years: dict[int, YearData] = {}
    errors: list[FileError] = []
    if not folder.is_dir():
        return years, errors
    for path in sorted(folder.glob("*.y*ml")):
        try:
            data = parse_year(path.read_text(encoding="utf-8"), path.name)
        except DataFileError as exc:
            errors += exc.errors
            continue
        except (OSError, UnicodeDecodeError) as exc:
            errors.append(FileError(path.name, 0, "", _("unreadable: %(problem)s", problem=exc)))
            continue
        if data.year in years:
            errors.append(
                FileError(path.name, 0, "year", _("%(year)s is described twice", year=data.year))
            )
            continue
        years[data.year] = data
    return years, errors


def load_working_days(folder: Path | None = None) -> WorkingDays:
    years, errors = load_years((folder or sla_folder()) / "calendar")
    for error in errors:
        log.error("SLA CALENDAR: file ignored: %s", error)
    return WorkingDays(years)
