"""The business calendar: working hours, statutory holidays, 调休, year files, the fallback."""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from helpdesk.sla.calendar import HANGZHOU, BusinessCalendar, WorkingDays, missing_years
from helpdesk.sla.holidays import load_years, parse_year
from helpdesk.sla.policies import DataFileError

CAL = BusinessCalendar("business", WorkingDays())


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=HANGZHOU)


def test_working_hours_on_a_plain_weekday():
    assert CAL.is_working_time(local(2026, 11, 27, 8, 30))
    assert CAL.is_working_time(local(2026, 11, 27, 11, 59))
    assert not CAL.is_working_time(local(2026, 11, 27, 12, 0))  # lunch
    assert CAL.is_working_time(local(2026, 11, 27, 13, 30))
    assert not CAL.is_working_time(local(2026, 11, 27, 17, 30))
    assert not CAL.is_working_time(local(2026, 11, 28, 10, 0))  # Saturday


def test_national_day_is_off_and_the_swapped_saturday_works():
    assert not CAL.is_working_time(local(2026, 10, 1, 10, 0))
    assert not CAL.is_working_time(local(2026, 10, 7, 10, 0))
    assert CAL.is_working_time(local(2026, 10, 10, 10, 0))  # Saturday 调休上班
    assert CAL.is_working_time(local(2026, 9, 20, 10, 0))  # Sunday 调休上班


def test_four_hours_from_the_eve_of_national_day_land_after_the_holiday():
    start = local(2026, 9, 30, 16, 30)  # Wednesday: 1 h left that day
    assert CAL.add(start, timedelta(hours=4)) == local(2026, 10, 8, 11, 30)


def test_lunch_and_evenings_do_not_count():
    assert CAL.add(local(2026, 11, 27, 11, 0), timedelta(hours=2)) == local(2026, 11, 27, 14, 30)
    assert CAL.between(local(2026, 11, 27, 17, 0), local(2026, 11, 30, 9, 0)) == timedelta(
        minutes=60
    )
    assert CAL.day_length == timedelta(hours=7, minutes=30)


def test_24x7_counts_every_moment():
    always = BusinessCalendar("24x7", None)
    start = local(2026, 10, 1, 3, 0)
    assert always.add(start, timedelta(hours=5)) == start + timedelta(hours=5)
    assert always.is_working_time(start)


def test_a_year_without_data_falls_back_to_weekdays_with_a_warning(caplog):
    days = WorkingDays()
    with caplog.at_level(logging.WARNING):
        assert days.is_workday(date(2027, 1, 1))  # a Friday; no data says it is a holiday
        assert not days.is_workday(date(2027, 1, 2))
        days.is_workday(date(2027, 3, 1))
    warnings = [r for r in caplog.records if "SLA CALENDAR" in r.getMessage()]
    assert len(warnings) == 1 and "2027" in warnings[0].getMessage()
    assert missing_years(days, range(2026, 2028)) == [2027]


YEAR_2027 = """\
year: 2027
source: test schedule
holidays:
  - {name: 元旦, from: 2027-01-01, to: 2027-01-03}
  - {name: 春节, from: 2027-02-05, to: 2027-02-11}
workdays:
  - {name: 春节调休, date: 2027-02-13}
"""


def test_a_year_file_adds_2027_without_code(tmp_path: Path):
    (tmp_path / "2027.yaml").write_text(YEAR_2027)
    years, errors = load_years(tmp_path)
    assert errors == []
    cal = BusinessCalendar("business", WorkingDays(years))
    assert not cal.is_working_time(local(2027, 1, 1, 10, 0))
    assert not cal.is_working_time(local(2027, 2, 8, 10, 0))
    assert cal.is_working_time(local(2027, 2, 13, 10, 0))  # Saturday 调休
    assert missing_years(WorkingDays(years), range(2027, 2028)) == []


@pytest.mark.parametrize(
    ("text", "line", "field", "message"),
    [
        (YEAR_2027.replace("2027-02-11", "2027-02-30"), 5, "holidays[1].to", "2027-02-30 不是日期"),
        (YEAR_2027.replace("2027-02-13", "2028-02-13"), 7, "workdays[0].date", "不在 2027 年内"),
        (
            YEAR_2027.replace("2027-02-13", "2027-02-08"),
            7,
            "workdays[0].date",
            "同时被列为假日和调休工作日",
        ),
        (YEAR_2027.replace("year: 2027", "year: 2026"), 1, "year", "应描述 2027 年"),
        (YEAR_2027 + "weekends: []\n", 8, "weekends", "未知字段 weekends"),
    ],
)
def test_a_bad_year_file_names_file_line_and_field(text, line, field, message):
    with pytest.raises(DataFileError) as caught:
        parse_year(text, "2027.yaml")
    error = caught.value.errors[0]
    assert (error.file, error.line, error.field) == ("2027.yaml", line, field), str(error)
    assert message in error.text


def test_a_bad_year_file_is_skipped_not_fatal(tmp_path: Path):
    (tmp_path / "2027.yaml").write_text(YEAR_2027.replace("2027-02-11", "2027-02-30"))
    years, errors = load_years(tmp_path)
    assert years == {} and "2027.yaml 第 5 行" in str(errors[0])
