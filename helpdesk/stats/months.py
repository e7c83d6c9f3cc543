"""The monthly rollup: a closed month's served enterprises as bitmaps, so a year is a dozen
rows per panel value instead of every day's rows (helpdesk/stats/rollup.py).

Distinct enterprises do not add up across days or months, but sets do: each `stats_month`
row holds the set of enterprises (a bitmap of their ids) served in one month for one
combination of the filter dimensions and their values, and a period's distinct count is the
size of the union of its months' sets, plus the enterprises of the days outside whole usable
months (read from the daily rollup or the tickets, as before). A daily (short) period, or one
without a whole usable month, keeps the daily path.

A month is rolled by the worker's maintenance run (`rollup.maintain`, explicit, no session
listeners) once it is over, and again after one of its days was re-rolled (at most hourly).
It is used only while none of its days is live (changed since) and it was rolled after each
of its days; otherwise its days are counted as before, so a figure is never stale.
"""

from __future__ import annotations

import zlib
from array import array
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import combinations
from typing import Any

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from helpdesk import clock
from helpdesk.stats.models import StatsDay, StatsMonth, StatsRolledDay, StatsRolledMonth

DIMS = ("district", "platform", "channel", "organisation_id")
# every combination of the dimensions (16), in DIMS order, so any filters and panel are
# answered from the months: a row per combination of values present in the month
KEYS = [c for n in range(len(DIMS) + 1) for c in combinations(DIMS, n)]
MONTHS_PER_RUN = 1  # months rolled per maintenance run (each minute): seconds each at 1M
REROLL_AFTER = timedelta(hours=1)  # a changed month is rolled again at most this often


def month_of(day: date) -> date:
    return day.replace(day=1)


def month_last(first: date) -> date:
    return (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)


def month_days(first: date) -> list[date]:
    return [first + timedelta(days=n) for n in range(month_last(first).day)]


# -- encoding ------------------------------------------------------------------------------


def encode_bitmap(ids: Iterable[int]) -> bytes:
    ids = list(ids)
    bits = bytearray((max(ids) >> 3) + 1 if ids else 0)
    for i in ids:
        bits[i >> 3] |= 1 << (i & 7)
    return zlib.compress(bytes(bits), 1)


def decode_bitmap(blob: bytes) -> int:
    return int.from_bytes(zlib.decompress(blob), "little")


def bitmap_of(ids: Iterable[int]) -> int:
    return decode_bitmap(encode_bitmap(ids))


def encode_counts(counts: dict[int, int]) -> bytes:
    pairs = array("q", [n for item in sorted(counts.items()) for n in item])
    return zlib.compress(pairs.tobytes(), 1)  # fast: a month has thousands of these


def decode_counts(blob: bytes) -> Iterator[tuple[int, int]]:
    pairs = array("q")
    pairs.frombytes(zlib.decompress(blob))
    return zip(pairs[::2], pairs[1::2], strict=True)


# -- rolling -------------------------------------------------------------------------------


@dataclass
class _Cell:
    tickets: int = 0
    counts: dict[int, int] = field(default_factory=lambda: defaultdict(int))


def roll_month(session: Session, first: date) -> None:
    """Replace a closed month's rows (stats_month, and the scorecards' stats_org_month) with
    a fresh count; its days not rolled yet are rolled first (the caller commits)."""
    from helpdesk.loop import scorecards  # the loop reads the stats; this only feeds it
    from helpdesk.stats import rollup

    last, text = month_last(first), first.strftime("%Y-%m")
    rolled = set(
        session.scalars(
            select(StatsRolledDay.day).where(
                StatsRolledDay.day >= first.isoformat(), StatsRolledDay.day <= last.isoformat()
            )
        )
    )
    for day in month_days(first):
        if day.isoformat() not in rolled:
            rollup.roll_day(session, day)
    session.flush()
    cells: dict[tuple[str, tuple[Any, ...]], _Cell] = defaultdict(_Cell)
    keys = [(",".join(key), [DIMS.index(d) for d in key]) for key in KEYS]
    rows = session.execute(
        select(
            StatsDay.enterprise_id,
            StatsDay.district,
            StatsDay.platform,
            StatsDay.channel,
            StatsDay.organisation_id,
            StatsDay.tickets,
        ).where(StatsDay.day >= first.isoformat(), StatsDay.day <= last.isoformat())
    )
    for enterprise_id, *values, tickets in rows:  # the hot loop of a month's roll
        for dims, at in keys:
            cell = cells[(dims, tuple([values[i] for i in at]))]
            cell.tickets += tickets
            if enterprise_id is not None:
                cell.counts[enterprise_id] += tickets
    session.execute(delete(StatsMonth).where(StatsMonth.month == text))
    if cells:  # one bulk insert, not an object per row
        session.execute(
            insert(StatsMonth),
            [
                {
                    "month": text,
                    "dims": dims,
                    "dim_values": list(values),
                    "tickets": cell.tickets,
                    "enterprises": encode_bitmap(cell.counts),
                    "counts": encode_counts(cell.counts),
                }
                for (dims, values), cell in cells.items()
            ],
        )
    scorecards.roll_month(session, first)
    session.merge(StatsRolledMonth(month=text, rolled_at=clock.now()))


def due(session: Session, oldest: date, yesterday: date, limit: int = MONTHS_PER_RUN) -> list[date]:
    """Months to roll now, at most `limit`: closed months whose days were re-rolled after
    them, once their last roll is REROLL_AFTER old (a month takes seconds to roll and old
    tickets change all the time: until then it is read from its days), then closed months
    never rolled (the most recent first)."""
    now = clock.now()
    rolled = {
        date.fromisoformat(month + "-01"): at
        for month, at in session.execute(select(StatsRolledMonth.month, StatsRolledMonth.rolled_at))
    }
    day_month = func.substr(StatsRolledDay.day, 1, 7)
    latest = {
        date.fromisoformat(month + "-01"): at
        for month, at in session.execute(
            select(day_month, func.max(StatsRolledDay.rolled_at)).group_by(day_month)
        )
    }
    stale = sorted(
        m for m, at in rolled.items() if m in latest and latest[m] > at and at <= now - REROLL_AFTER
    )
    missing, at = [], month_of(oldest)
    while month_last(at) <= yesterday:
        if at not in rolled:
            missing.append(at)
        at = month_last(at) + timedelta(days=1)
    return (stale + missing[::-1])[:limit]


# -- reading -------------------------------------------------------------------------------


def usable(session: Session, first: date, last: date, live: set[date]) -> list[date]:
    """The whole months inside first..last whose rollup may be read: rolled after each of
    their days and with none of their days live."""
    today = clock.local_today_date()
    wanted, at = [], month_of(first)
    if at < first:
        at = month_last(at) + timedelta(days=1)
    while month_last(at) <= last and month_last(at) < today:
        wanted.append(at)
        at = month_last(at) + timedelta(days=1)
    if not wanted:
        return []
    texts = [m.strftime("%Y-%m") for m in wanted]
    rolled = {
        month: at
        for month, at in session.execute(
            select(StatsRolledMonth.month, StatsRolledMonth.rolled_at).where(
                StatsRolledMonth.month.in_(texts)
            )
        )
    }
    day_month = func.substr(StatsRolledDay.day, 1, 7)
    latest = {
        month: at
        for month, at in session.execute(
            select(day_month, func.max(StatsRolledDay.rolled_at))
            .where(StatsRolledDay.day >= wanted[0].isoformat())
            .where(StatsRolledDay.day <= month_last(wanted[-1]).isoformat())
            .group_by(day_month)
        )
    }
    live_months = {month_of(d) for d in live}
    return [
        m
        for m, text in zip(wanted, texts, strict=True)
        if text in rolled
        and m not in live_months
        and (latest.get(text) is None or latest[text] <= rolled[text])
    ]


@dataclass
class Served:
    """Enterprises served (a bitmap) and tickets, for one panel value."""

    bitmap: int = 0
    tickets: int = 0
    counts: dict[int, int] | None = None  # per enterprise, for the industry panel

    @property
    def enterprises(self) -> int:
        return self.bitmap.bit_count()


def read(
    session: Session,
    months: list[date],
    dims: tuple[str, ...],
    fixed: dict[str, Any],
    group: str | None,
    per_enterprise: bool = False,
) -> dict[Any, Served]:
    """The months' rows for `dims`, those matching `fixed`, united per value of `group`
    (a dimension in dims, "month", or None for one total)."""
    out: dict[Any, Served] = defaultdict(Served)
    if not months:
        return out
    # the filters in SQL: a row not matching never leaves the database with its bitmaps (a
    # year of "district, organisation_id" rows is ~9,000, one organisation's ~150)
    matching = [
        StatsMonth.dim_values[dims.index(d)].as_integer() == v
        if isinstance(v, int)
        else StatsMonth.dim_values[dims.index(d)].as_string() == v
        for d, v in fixed.items()
    ]
    rows = session.execute(
        select(
            StatsMonth.month,
            StatsMonth.dim_values,
            StatsMonth.tickets,
            StatsMonth.enterprises,
            StatsMonth.counts if per_enterprise else StatsMonth.tickets,
        ).where(
            StatsMonth.month.in_([m.strftime("%Y-%m") for m in months]),
            StatsMonth.dims == ",".join(dims),
            *matching,
        )
    )
    for month, values, tickets, bitmap, counts in rows:
        named = dict(zip(dims, values, strict=True))
        if any(named[d] != v for d, v in fixed.items()):
            continue
        key = date.fromisoformat(month + "-01") if group == "month" else named.get(group or "")
        served = out[key]
        served.bitmap |= decode_bitmap(bitmap)
        served.tickets += tickets
        if per_enterprise:
            served.counts = served.counts if served.counts is not None else defaultdict(int)
            for enterprise_id, n in decode_counts(counts):
                served.counts[enterprise_id] += n
    return out
