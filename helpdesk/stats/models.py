"""The dashboard's daily rollup (helpdesk.stats.rollup): closed Hangzhou days counted once.

`stats_day` holds, per day, one row per enterprise and combination of the filters' dimensions
with its ticket count: distinct enterprises over any period and filters are then
COUNT(DISTINCT enterprise_id) over these rows, tickets SUM(tickets). Industry is not stored:
it is the enterprise's, joined when counting, as the live count does.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from helpdesk.db import Base, UTCDateTime


class StatsDay(Base):
    __tablename__ = "stats_day"
    __table_args__ = (Index("ix_stats_day_day", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[str] = mapped_column(String(10))  # Hangzhou date, YYYY-MM-DD: sorts as dates
    enterprise_id: Mapped[int | None] = mapped_column(Integer)
    district: Mapped[str] = mapped_column(String(12))
    platform: Mapped[str] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(24))
    organisation_id: Mapped[int | None] = mapped_column(Integer)
    tickets: Mapped[int] = mapped_column(Integer)


class StatsRolledDay(Base):
    """A day whose rows in stats_day are complete (a day with no tickets has none)."""

    __tablename__ = "stats_rolled_day"

    day: Mapped[str] = mapped_column(String(10), primary_key=True)
    rolled_at: Mapped[datetime] = mapped_column(UTCDateTime)


class StatsRollupState(Base):
    """One row: ticket changes before `checked_until` (less a margin) are in the rollup, and
    so are tickets up to `last_ticket_id` (a later one may carry an earlier day: an import)."""

    __tablename__ = "stats_rollup_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    checked_until: Mapped[datetime] = mapped_column(UTCDateTime)
    last_ticket_id: Mapped[int] = mapped_column(Integer, default=0)


class StatsMonth(Base):
    """A closed, rolled month's served enterprises for one combination of the filters'
    dimensions and values (helpdesk/stats/months.py): `dims` names them ("" for everything,
    "channel", "channel,organisation_id"…), `dim_values` their values in that order.

    `enterprises` is a compressed bitmap of enterprise ids (distinct over months is the OR
    of the months' bitmaps), `counts` the compressed (enterprise id, tickets) pairs that
    the industry panel needs, `tickets` every ticket counted, with or without an enterprise.
    """

    __tablename__ = "stats_month"
    __table_args__ = (Index("ix_stats_month_month_dims", "month", "dims"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[str] = mapped_column(String(7))  # Hangzhou month, YYYY-MM
    dims: Mapped[str] = mapped_column(String(64))
    dim_values: Mapped[list[Any]] = mapped_column(JSON, default=list)
    tickets: Mapped[int] = mapped_column(Integer)
    enterprises: Mapped[bytes] = mapped_column(LargeBinary)
    counts: Mapped[bytes] = mapped_column(LargeBinary)


class _OrgSums:
    """One organisation's scorecard sums over the tickets created in one period
    (helpdesk/loop/scorecards.py): what adds up across periods, and the time histograms
    (hundredths of a business hour → tickets) from which medians and percentiles are exact."""

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(Integer)
    received: Mapped[int] = mapped_column(Integer)  # held tickets (declines are counted live)
    accepted: Mapped[int] = mapped_column(Integer)
    sla_judged: Mapped[int] = mapped_column(Integer)  # resolved ones
    sla_met: Mapped[int] = mapped_column(Integer)
    escalated: Mapped[int] = mapped_column(Integer)
    ratings: Mapped[int] = mapped_column(Integer)
    rating_sum: Mapped[int] = mapped_column(Integer)
    callbacks_done: Mapped[int] = mapped_column(Integer)  # 回访 answered
    callbacks_unreachable: Mapped[int] = mapped_column(Integer)
    response_hours: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    resolution_hours: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    # open tickets' resolution due times (µs since the epoch): judged once past, as now moves
    open_due: Mapped[list[int]] = mapped_column(JSON, default=list)


class StatsOrgMonth(_OrgSums, Base):
    """The sums over the tickets created in one closed month."""

    __tablename__ = "stats_org_month"
    __table_args__ = (Index("ix_stats_org_month_month", "month"),)

    month: Mapped[str] = mapped_column(String(7))


class StatsOrgDay(_OrgSums, Base):
    """The sums over the tickets created in one rolled Hangzhou day (with its stats_day rows,
    helpdesk/stats/rollup.py): the days of a period outside its whole months."""

    __tablename__ = "stats_org_day"
    __table_args__ = (Index("ix_stats_org_day_day", "day"),)

    day: Mapped[str] = mapped_column(String(10))


class StatsRolledMonth(Base):
    """A closed month whose stats_month and stats_org_month rows are complete, as of
    `rolled_at` (no older than the rolled_at of any of its days, or it is not used)."""

    __tablename__ = "stats_rolled_month"

    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    rolled_at: Mapped[datetime] = mapped_column(UTCDateTime)
