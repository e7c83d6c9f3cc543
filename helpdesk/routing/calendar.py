"""A stand-in business calendar for the routing time-window condition.

Deliberately tiny: working hours 08:30–12:00 and 13:30–17:30, Monday to Friday, Hangzhou time,
with no statutory holidays and no swapped working days (调休). The SLA issue (issue 7) brings the
real business calendar; it replaces this module's `is_working_time` and nothing else in routing
needs to change.
"""

from __future__ import annotations

from datetime import datetime, time

from helpdesk.clock import HANGZHOU

WORKING_PERIODS: tuple[tuple[time, time], ...] = (
    (time(8, 30), time(12, 0)),
    (time(13, 30), time(17, 30)),
)


def is_working_time(moment: datetime) -> bool:
    """True inside working hours on a weekday in Hangzhou; `moment` must be timezone-aware."""
    if moment.tzinfo is None:
        raise ValueError("is_working_time() needs an aware datetime")
    local = moment.astimezone(HANGZHOU)
    if local.weekday() >= 5:
        return False
    now = local.time()
    return any(start <= now < end for start, end in WORKING_PERIODS)
