"""The one clock the code reads, so tests drive time instead of sleeping."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

HANGZHOU = ZoneInfo("Asia/Shanghai")

_frozen: datetime | None = None


def now() -> datetime:
    """The current time, timezone-aware UTC."""
    return _frozen if _frozen is not None else datetime.now(UTC)


def freeze(at: datetime) -> None:
    global _frozen
    if at.tzinfo is None:
        raise ValueError("freeze() needs an aware datetime")
    _frozen = at.astimezone(UTC)


def advance(delta: timedelta) -> None:
    global _frozen
    _frozen = now() + delta


def unfreeze() -> None:
    global _frozen
    _frozen = None


def local_today() -> str:
    """Today's date in Hangzhou as YYYYMMDD (ticket numbers follow the local day)."""
    return now().astimezone(HANGZHOU).strftime("%Y%m%d")


def local_today_date() -> date:
    """Today in Hangzhou, as a date."""
    return now().astimezone(HANGZHOU).date()


def local_day_start(day: date) -> datetime:
    """Hangzhou midnight starting `day`, in UTC: a date range's bound on a UTC column."""
    return datetime.combine(day, time(), tzinfo=HANGZHOU).astimezone(UTC)
