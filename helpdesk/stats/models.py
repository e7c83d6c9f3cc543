"""The dashboard's daily rollup (helpdesk.stats.rollup): closed Hangzhou days counted once.

`stats_day` holds, per day, one row per enterprise and combination of the filters' dimensions
with its ticket count: distinct enterprises over any period and filters are then
COUNT(DISTINCT enterprise_id) over these rows, tickets SUM(tickets). Industry is not stored:
it is the enterprise's, joined when counting, as the live count does.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Integer, String
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
