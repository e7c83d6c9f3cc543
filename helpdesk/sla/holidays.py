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
import os
from datetime import date, timedelta
from pathlib import Path

from helpdesk.sla.calendar import WorkingDays, YearData
from helpdesk.sla.files import Checker, DataFileError, FileError, Node, read

log = logging.getLogger(__name__)

SLA_FOLDER = Path(__file__).resolve().parent.parent.parent / "routing_rules" / "sla"


def sla_folder() -> Path:
    """HELPDESK_SLA_FOLDER, or routing_rules/sla beside the routing rules."""
    return Path(os.environ.get("HELPDESK_SLA_FOLDER") or SLA_FOLDER)


def parse_year(text: str, file: str) -> YearData:
    root = read(text, file)
    check = Checker(file)
    if root is None:
        raise DataFileError([FileError(file, 0, "", "the file is empty")])
    fields = check.mapping(root, ("year", "source", "holidays", "workdays"))
    year_text = check.text(fields.get("year"), required=False)
    year = int(year_text) if year_text and year_text.isdigit() else None
    if year is None:
        check.error(fields.get("year") or root, "year is required: the four-digit year", "year")
        raise DataFileError(check.errors)
    stem = Path(file).stem
    if stem.isdigit() and int(stem) != year:
        check.error(fields["year"], f"the file {file} must describe {stem}, not {year}")
    holidays: set[date] = set()
    names: dict[date, str] = {}
    for item in check.items(fields.get("holidays")):
        spec = check.mapping(item, ("name", "from", "to", "date"))
        name = check.text(spec.get("name"), required=False) or ""
        first = _date(check, spec.get("from") or spec.get("date"), year, item)
        last = _date(check, spec.get("to"), year, item) if "to" in spec else first
        if first and last:
            if last < first:
                check.error(spec["to"], f"{last} is before {first}")
            day = first
            while day <= last:
                holidays.add(day)
                names[day] = name
                day += timedelta(days=1)
    workdays: set[date] = set()
    for item in check.items(fields.get("workdays")):
        spec = check.mapping(item, ("name", "date"))
        swapped = _date(check, spec.get("date"), year, item)
        if swapped is None:
            continue
        if swapped in holidays:
            check.error(spec["date"], f"{swapped} is listed both as a holiday and a working day")
        workdays.add(swapped)
        names[swapped] = check.text(spec.get("name"), required=False) or ""
    if check.errors:
        raise DataFileError(check.errors)
    source = check.text(fields.get("source"), required=False) or file
    return YearData(year, frozenset(holidays), frozenset(workdays), source, names)


def _date(check: Checker, node: Node | None, year: int, parent: Node) -> date | None:
    text = check.text(node, required=False)
    if text is None:
        check.error(parent, "a date is required (from/date)")
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        check.error(node, f"{text} is not a date (YYYY-MM-DD)")
        return None
    if day.year != year:
        check.error(node, f"{text} is not in {year}")
        return None
    return day


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
            errors.append(FileError(path.name, 0, "", f"unreadable: {exc}"))
            continue
        if data.year in years:
            errors.append(FileError(path.name, 0, "year", f"{data.year} is described twice"))
            continue
        years[data.year] = data
    return years, errors


def load_working_days(folder: Path | None = None) -> WorkingDays:
    years, errors = load_years((folder or sla_folder()) / "calendar")
    for error in errors:
        log.error("SLA CALENDAR: file ignored: %s", error)
    return WorkingDays(years)
