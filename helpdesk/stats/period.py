"""The period a dashboard covers: whole Hangzhou days, both ends included, never in the future.

A period of up to MAX_DAILY_DAYS is shown day by day, a longer one month by month. Bad dates
are InvalidInput naming the field, with a message in the page's language (it is shown as is).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from flask_babel import gettext as _

from helpdesk import clock
from helpdesk.errors import InvalidInput

MAX_DAILY_DAYS = 62
LONGEST_DAYS = 5 * 366  # a bound on what one page is asked to count


@dataclass(frozen=True)
class Period:
    first: date
    last: date  # included

    @property
    def by_month(self) -> bool:
        return (self.last - self.first).days + 1 > MAX_DAILY_DAYS

    @property
    def start(self) -> datetime:
        """The first instant, UTC."""
        return clock.local_day_start(self.first)

    @property
    def end(self) -> datetime:
        """The instant after the last day, UTC (exclusive bound)."""
        return clock.local_day_start(self.last + timedelta(days=1))

    def buckets(self) -> list[date]:
        """Each day, or the first of each month, that the period touches, in order."""
        if not self.by_month:
            days = (self.last - self.first).days + 1
            return [self.first + timedelta(days=n) for n in range(days)]
        months, at = [], self.first.replace(day=1)
        while at <= self.last:
            months.append(at)
            at = (at + timedelta(days=32)).replace(day=1)
        return months

    def bucket_range(self, bucket: date) -> tuple[date, date]:
        """The days of one bucket that lie inside the period: where its drill-down looks."""
        if not self.by_month:
            return bucket, bucket
        following = (bucket + timedelta(days=32)).replace(day=1)
        return max(bucket, self.first), min(following - timedelta(days=1), self.last)

    @classmethod
    def from_args(cls, args: Any) -> Period:
        """`from` and `to` (YYYY-MM-DD); by default this month up to today."""
        today = clock.local_today_date()
        first = _date(args.get("from"), "from") or today.replace(day=1)
        last = _date(args.get("to"), "to") or today
        if first > today:
            raise InvalidInput(_("The period cannot start in the future."), field="from")
        if last > today:
            raise InvalidInput(_("The period cannot end in the future."), field="to")
        if first > last:
            raise InvalidInput(_("The period ends before it starts."), field="to")
        if (last - first).days >= LONGEST_DAYS:
            raise InvalidInput(_("A period may be at most five years long."), field="from")
        return cls(first, last)


def _date(text: str | None, field: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(_("Give a date such as 2025-03-01."), field=field) from None
