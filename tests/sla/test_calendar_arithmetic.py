"""add() and between() give exactly what walking the working intervals one by one gives.

The calendar finds the answer's day by bisecting running sums (calendar.py); the reference
here is the plain walk it replaced, kept as the definition: the same moment, in the same zone,
the same errors, over many random starts and durations on calendars with statutory holidays,
调休 working weekends, a year from a file, lunch breaks, other periods and other zones.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from helpdesk.sla.calendar import (
    HANGZHOU,
    MAX_DAYS,
    ZERO,
    BusinessCalendar,
    WorkingDays,
    YearData,
)

YEAR_2027 = YearData(
    2027,
    holidays=frozenset(
        [date(2027, 1, 1)] + [date(2027, 2, 5) + timedelta(days=n) for n in range(7)]
    ),
    workdays=frozenset({date(2027, 2, 13), date(2027, 2, 14)}),  # a working weekend (调休)
)
CALENDARS = {
    "business": BusinessCalendar("business", WorkingDays()),
    "business+2027 file": BusinessCalendar("business", WorkingDays({2027: YEAR_2027})),
    "one period": BusinessCalendar("one", WorkingDays(), ((time(9), time(18)),)),
    "three periods": BusinessCalendar(
        "three",
        WorkingDays(),
        ((time(0, 0), time(0, 0, 0, 1)), (time(8, 30), time(12)), (time(23, 59), time(23, 59, 59))),
    ),
    "Berlin, DST": BusinessCalendar(
        "berlin",
        WorkingDays(),
        ((time(1, 30), time(3, 30)), (time(9), time(17))),
        ZoneInfo("Europe/Berlin"),
    ),
}
ZONES = (UTC, HANGZHOU, timezone(timedelta(hours=-5)))
FIRST, LAST = datetime(2025, 12, 1, tzinfo=UTC), datetime(2027, 3, 1, tzinfo=UTC)


def walk(cal: BusinessCalendar, start: datetime) -> Iterator[tuple[datetime, datetime]]:
    day = start.astimezone(cal.tz).date()
    for _ in range(MAX_DAYS):
        for a, b in cal.intervals(day):
            if b > start:
                yield max(a, start), b
        day += timedelta(days=1)
    raise ValueError(f"calendar {cal.name}: no working time within {MAX_DAYS} days")


def reference_add(cal: BusinessCalendar, start: datetime, duration: timedelta) -> datetime:
    if duration == ZERO:
        return start
    remaining = duration
    for a, b in walk(cal, start):
        if remaining <= b - a:
            return a + remaining
        remaining -= b - a
    raise AssertionError("unreachable")


def reference_between(cal: BusinessCalendar, start: datetime, end: datetime) -> timedelta:
    if end <= start:
        return ZERO
    total = ZERO
    for a, b in walk(cal, start):
        if a >= end:
            break
        total += min(b, end) - a
    return total


def starts(cal: BusinessCalendar, rng: random.Random, count: int) -> list[datetime]:
    """Random moments, and interval edges and a microsecond either side of them."""
    span = int((LAST - FIRST).total_seconds())
    found = []
    for _ in range(count):
        moment = FIRST + timedelta(seconds=rng.randrange(span), microseconds=rng.randrange(10**6))
        found.append(moment.astimezone(rng.choice(ZONES)))
        edges = cal.intervals(moment.astimezone(cal.tz).date())
        if edges:
            edge = rng.choice(rng.choice(edges))
            edge += rng.choice((-1, 0, 1)) * timedelta(microseconds=1)
            found.append(edge.astimezone(rng.choice(ZONES)))
    return found


def durations(cal: BusinessCalendar, rng: random.Random, start: datetime) -> list[timedelta]:
    """Random lengths up to 30 working days, and ones ending exactly on interval edges."""
    found = [ZERO, timedelta(microseconds=1), timedelta(hours=rng.choice((1, 4, 7.5, 37.5)))]
    found += [timedelta(microseconds=rng.randrange(30 * 8 * 3600 * 10**6)) for _ in range(3)]
    intervals = walk(cal, start)
    for _ in range(rng.randrange(60)):
        next(intervals)
    _a, b = next(intervals)
    found.append(reference_between(cal, start, b))  # ends on an interval's end
    return found


@pytest.mark.parametrize("name", CALENDARS)
def test_add_and_between_equal_the_walk(name):
    cal = CALENDARS[name]
    rng = random.Random(f"sla-calendar-{name}")
    checked = 0
    for start in starts(cal, rng, 400):
        for duration in durations(cal, rng, start):
            expected = reference_add(cal, start, duration)
            found = cal.add(start, duration)
            assert (found, found.tzinfo) == (expected, expected.tzinfo), (start, duration)
            assert cal.between(start, found) == reference_between(cal, start, found) == duration
            other = start + timedelta(microseconds=rng.randrange(-(10**12), 4 * 10**12))
            assert cal.between(start, other) == reference_between(cal, start, other)
            checked += 1
    assert checked > 2000


def test_the_same_errors_without_working_time():
    never = BusinessCalendar("never", WorkingDays(), ())
    start = datetime(2026, 3, 2, 9, tzinfo=HANGZHOU)
    for function in (lambda: never.add(start, timedelta(hours=1)),
                     lambda: never.between(start, start + timedelta(days=1))):  # fmt: skip
        with pytest.raises(ValueError, match="no working time within 3700 days"):
            function()
    cal = CALENDARS["business"]
    for days in range(MAX_DAYS - 8, MAX_DAYS + 2):  # the walk gives up after MAX_DAYS days
        for hours in (0, 9, 12.5, 20):
            end = start + timedelta(days=days, hours=hours)
            assert outcome(cal.between, start, end) == outcome(reference_between, cal, start, end)
    within = ZERO  # all the working time the walk sees before it gives up
    with pytest.raises(ValueError, match="no working time"):
        for a, b in walk(cal, start):
            within += b - a
    for duration in (within - timedelta(microseconds=1), within, within + timedelta(seconds=1)):
        assert outcome(cal.add, start, duration) == outcome(reference_add, cal, start, duration)
    with pytest.raises(ValueError, match="no working time"):
        cal.add(start, within * 2)


def outcome(function: Callable[..., timedelta], *args: object) -> object:
    try:
        return function(*args)
    except ValueError as error:
        return str(error)
