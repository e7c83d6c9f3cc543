"""The business calendar, pure: which moments are working time, and business-time arithmetic.

Which days are working days, per year, in this order:
1. a year file (``routing_rules/sla/calendar/YYYY.yaml``, see `holidays.py`): added as data when
   the State Council publishes the next year's schedule, no code release needed;
2. the `chinese-calendar` package (it knows 2004–2026), statutory holidays and 调休 included;
3. Monday to Friday, with a loud warning once per year and process (`missing_years` lists them
   for `helpdesk sla check`).

Inside a working day, working time is the configured periods (08:30–12:00 and 13:30–17:30 by
default), in Hangzhou time. The 24×7 calendar (the hotline itself) counts every moment.
All arithmetic is exact (`timedelta`, microseconds), so tests can assert equalities.

`add` and `between` answer as walking the working intervals one by one from the start would
(tests/sla/test_calendar_arithmetic.py keeps that walk and compares), but find the answer's day
by bisecting running sums of working time kept per block of days (the periods are in order
and do not overlap, so working time up to a moment is one sum): a new ticket's six timers and
two due times each walked 5-20 intervals. Measured 2026-12-06 against the walk, 5000 fresh
starts on the standard policy: due times and plan of one ticket 40-47 -> 21-24 us; the SLA
record of one new ticket (bench/sla_record.py) 103-129 -> 75-110 us.
"""

from __future__ import annotations

import logging
from bisect import bisect_left
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import chinese_calendar

log = logging.getLogger(__name__)

HANGZHOU = ZoneInfo("Asia/Shanghai")
WORKING_PERIODS: tuple[tuple[time, time], ...] = (
    (time(8, 30), time(12, 0)),
    (time(13, 30), time(17, 30)),
)
MAX_DAYS = 3700  # no SLA reaches ten years ahead; bounds every loop below
ZERO = timedelta(0)
MICROSECOND = timedelta(microseconds=1)
BLOCK = 32  # days per block of the calendar's running sums (see BusinessCalendar._block)

# One day's working intervals as (start, end, length in microseconds), aware UTC datetimes.
DayIntervals = tuple[tuple[datetime, datetime, int], ...]


@dataclass(frozen=True)
class YearData:
    """One year's statutory holidays and swapped working days (调休), from a year file."""

    year: int
    holidays: frozenset[date]
    workdays: frozenset[date]
    source: str = ""
    names: Mapping[date, str] = field(default_factory=dict)


class WorkingDays:
    """Answers "is this date a working day?" from year files, chinese-calendar, or weekdays."""

    def __init__(
        self,
        years: Mapping[int, YearData] | None = None,
        warn: Callable[[int], None] | None = None,
    ) -> None:
        self.years = dict(years or {})
        self._warn = warn or _warn_missing
        self._warned: set[int] = set()
        self._cache: dict[date, bool] = {}

    def source(self, year: int) -> str:
        if year in self.years:
            return "data file"
        try:
            chinese_calendar.is_workday(date(year, 6, 1))
        except NotImplementedError:
            return "weekdays (no holiday data)"
        return "chinese-calendar"

    def is_workday(self, day: date) -> bool:
        known = self._cache.get(day)
        if known is None:
            known = self._cache[day] = self._lookup(day)
        return known

    def _lookup(self, day: date) -> bool:
        data = self.years.get(day.year)
        if data is not None:
            if day in data.workdays:
                return True
            return day not in data.holidays and day.weekday() < 5
        try:
            return bool(chinese_calendar.is_workday(day))
        except NotImplementedError:
            if day.year not in self._warned:
                self._warned.add(day.year)
                self._warn(day.year)
            return day.weekday() < 5


def _warn_missing(year: int) -> None:
    log.warning(
        "SLA CALENDAR: no holiday data for %s; counting Monday to Friday as working days. "
        "Add routing_rules/sla/calendar/%s.yaml from the State Council's notice "
        "(see routing_rules/sla/README.md), or due times in %s will be wrong around holidays.",
        year,
        year,
        year,
    )


def missing_years(days: WorkingDays, years: range) -> list[int]:
    return [y for y in years if days.source(y).startswith("weekdays")]


class BusinessCalendar:
    """Working periods on working days. `days=None` with no periods is the 24×7 calendar."""

    def __init__(
        self,
        name: str,
        days: WorkingDays | None,
        periods: tuple[tuple[time, time], ...] = WORKING_PERIODS,
        tz: ZoneInfo = HANGZHOU,
    ) -> None:
        self.name, self.days, self.periods, self.tz = name, days, periods, tz
        self.always = days is None
        self._intervals: dict[date, tuple[tuple[datetime, datetime], ...]] = {}
        # add()'s answers: a ticket's events ask the same sums again (every event re-plans
        # every stage from the same start), and the calendar never changes once built.
        # Keyed by the zone too: equal moments in two zones answer in their own zone.
        self._sums: dict[tuple[datetime, Any, timedelta], datetime] = {}
        # Blocks of BLOCK days, numbered by ordinal // BLOCK: each day's intervals and the
        # working microseconds from the block's first day to each day's start, so add() and
        # between() find the answer's day by bisection instead of walking every interval.
        self._blocks: dict[int, tuple[list[int], tuple[DayIntervals, ...]]] = {}

    @property
    def day_length(self) -> timedelta:
        """A working day's length: what "1d" means in a policy on this calendar."""
        if self.always:
            return timedelta(days=1)
        anchor = date(2000, 1, 3)
        return sum(
            (datetime.combine(anchor, b) - datetime.combine(anchor, a) for a, b in self.periods),
            ZERO,
        )

    def intervals(self, day: date) -> tuple[tuple[datetime, datetime], ...]:
        """The working intervals of a local date, as aware UTC datetimes."""
        found = self._intervals.get(day)
        if found is None:
            if self.days is not None and not self.days.is_workday(day):
                found = ()
            else:
                found = tuple(
                    (
                        datetime.combine(day, a, self.tz).astimezone(UTC),
                        datetime.combine(day, b, self.tz).astimezone(UTC),
                    )
                    for a, b in self.periods
                )
            if len(self._intervals) > 20_000:
                self._intervals.clear()
            self._intervals[day] = found
        return found

    def _walk(self, start: datetime) -> Iterator[tuple[datetime, datetime]]:
        day = start.astimezone(self.tz).date()
        for _ in range(MAX_DAYS):
            for a, b in self.intervals(day):
                if b > start:
                    yield max(a, start), b
            day += timedelta(days=1)
        raise ValueError(f"calendar {self.name}: no working time within {MAX_DAYS} days")

    def is_working_time(self, moment: datetime) -> bool:
        _aware(moment)
        if self.always:
            return True
        day = moment.astimezone(self.tz).date()
        return any(a <= moment < b for a, b in self.intervals(day))

    def add(self, start: datetime, duration: timedelta) -> datetime:
        """The earliest moment by which `duration` of working time has passed since `start`."""
        _aware(start)
        if duration < ZERO:
            raise ValueError("add() needs a duration of zero or more")
        if self.always or duration == ZERO:
            return start + duration
        key = (start, start.tzinfo, duration)
        found = self._sums.get(key)
        if found is None:
            found = self._add(start, duration)
            if len(self._sums) > 20_000:
                self._sums.clear()
            self._sums[key] = found
        return found

    def _block(self, number: int) -> tuple[list[int], tuple[DayIntervals, ...]]:
        """Block `number`: (working microseconds before each of its days and after its last,
        counted from its first day; each day's intervals with their lengths)."""
        found = self._blocks.get(number)
        if found is None:
            sums, days = [0], []
            for ordinal in range(number * BLOCK, (number + 1) * BLOCK):
                day = tuple(
                    (a, b, (b - a) // MICROSECOND)
                    for a, b in self.intervals(date.fromordinal(ordinal))
                )
                days.append(day)
                sums.append(sums[-1] + sum(span for _a, _b, span in day))
            if len(self._blocks) > 2_000:
                self._blocks.clear()
            found = self._blocks[number] = (sums, tuple(days))
        return found

    def _locate(self, moment: datetime) -> tuple[int, int, int]:
        """(`moment`'s local day as an ordinal, its block, the working microseconds from the
        block's first day to `moment`)."""
        ordinal = moment.astimezone(self.tz).toordinal()
        number, index = divmod(ordinal, BLOCK)
        sums, days = self._block(number)
        done = sums[index]
        for a, b, span in days[index]:
            if b <= moment:
                done += span
            else:
                if a < moment:
                    done += (moment - a) // MICROSECOND
                break
        return ordinal, number, done

    def _add(self, start: datetime, duration: timedelta) -> datetime:
        """As walking the intervals from `start` and counting `duration` down: the same
        moment, in `start`'s zone when it falls in the interval `start` is inside, else UTC."""
        first, number, wanted = self._locate(start)
        wanted += duration // MICROSECOND  # counted from block `number`'s first day
        sums, days = self._block(number)
        while wanted > sums[-1]:
            wanted -= sums[-1]
            number += 1
            if number * BLOCK >= first + MAX_DAYS:
                raise self._nothing_within()
            sums, days = self._block(number)
        index = bisect_left(sums, wanted) - 1  # the day whose working time reaches it
        if number * BLOCK + index >= first + MAX_DAYS:
            raise self._nothing_within()
        wanted -= sums[index]
        for a, _b, span in days[index]:
            if wanted <= span:
                return start + duration if a < start else a + wanted * MICROSECOND
            wanted -= span
        raise AssertionError("unreachable")  # the day's lengths sum to sums[index + 1]

    def _nothing_within(self) -> ValueError:
        return ValueError(f"calendar {self.name}: no working time within {MAX_DAYS} days")

    def between(self, start: datetime, end: datetime) -> timedelta:
        """Working time in [start, end); zero when end is not after start."""
        _aware(start)
        _aware(end)
        if end <= start:
            return ZERO
        if self.always:
            return end - start
        first, number, done = self._locate(start)
        last, end_number, end_done = self._locate(end)
        # Walking from `start` would stop at the first interval starting at or after `end`,
        # and give up without one within MAX_DAYS: so does this.
        if not self._starts_from(end, last, first + MAX_DAYS):
            raise self._nothing_within()
        for passed in range(number, end_number):
            end_done += self._block(passed)[0][-1]
        return (end_done - done) * MICROSECOND

    def _starts_from(self, moment: datetime, ordinal: int, limit: int) -> bool:
        """Whether an interval starts at or after `moment` (on local day `ordinal`) on a day
        before `limit`."""
        number, index = divmod(ordinal, BLOCK)
        if any(a >= moment for a, _b, _span in self._block(number)[1][index]):
            return ordinal < limit
        for later in range(ordinal + 1, limit):
            number, index = divmod(later, BLOCK)
            if self._block(number)[1][index]:
                return True
        return False

    def next_working_moment(self, moment: datetime) -> datetime:
        if self.always:
            return moment
        for a, _b in self._walk(moment):
            return a
        raise AssertionError("unreachable")


def _aware(moment: datetime) -> None:
    if moment.tzinfo is None:
        raise ValueError("the business calendar needs timezone-aware datetimes")


_default: BusinessCalendar | None = None


def default_calendar() -> BusinessCalendar:
    """The installation's business calendar, with the year files from the SLA folder."""
    global _default
    if _default is None:
        from helpdesk.sla.holidays import load_working_days

        _default = BusinessCalendar("business", load_working_days())
    return _default


def reset_default() -> None:
    global _default
    _default = None


def is_working_time(moment: datetime) -> bool:
    """Inside working hours on a working day in Hangzhou (the routing `time` condition)."""
    return default_calendar().is_working_time(moment)
