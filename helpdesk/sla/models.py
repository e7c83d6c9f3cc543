"""A ticket's SLA clock and its timer stages.

The SLA columns live in `ticket_sla`, one row per ticket, rather than on the ticket row: the
ticket core owns `ticket`, and the hot queue pages read a narrower row. `sla_stage` is the
database's list of timers; Redis only fires them, so a lost Redis loses nothing.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from helpdesk.db import Base, UTCDateTime

PENDING, FIRED, STOPPED, PAUSED = "pending", "fired", "stopped", "paused"


class TicketSla(Base):
    __tablename__ = "ticket_sla"
    __table_args__ = (Index("ix_ticket_sla_overdue", "overdue", "ticket_id"),)

    ticket_id: Mapped[int] = mapped_column(
        ForeignKey("ticket.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    policy: Mapped[str] = mapped_column(String(64))  # the policy in force (after fallbacks)
    # the published version of policies.yaml the ticket was planned with (None: the file)
    policy_version: Mapped[int | None] = mapped_column(Integer)
    calendar: Mapped[str] = mapped_column(String(16))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    paused_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # set while paused
    paused_seconds: Mapped[float] = mapped_column(Float, default=0.0)  # business time paused
    responded: Mapped[bool] = mapped_column(Boolean, default=False)
    resolved: Mapped[bool] = mapped_column(Boolean, default=False)
    closed: Mapped[bool] = mapped_column(Boolean, default=False)
    update_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    update_cycle: Mapped[int] = mapped_column(Integer, default=0)
    resolution_cycle: Mapped[int] = mapped_column(Integer, default=0)
    first_response_due: Mapped[datetime | None] = mapped_column(UTCDateTime)
    next_update_due: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolution_due: Mapped[datetime | None] = mapped_column(UTCDateTime)
    overdue: Mapped[bool] = mapped_column(Boolean, default=False)  # 督办
    overdue_since: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SlaStage(Base):
    """One rung of the ladder for one target and cycle: fires once, then is done for good."""

    __tablename__ = "sla_stage"
    __table_args__ = (
        UniqueConstraint("ticket_id", "target", "step", "cycle"),
        Index("ix_sla_stage_state_fire_at", "state", "fire_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("ticket.id", ondelete="CASCADE"))
    target: Mapped[str] = mapped_column(String(16))
    step: Mapped[str] = mapped_column(String(20))
    cycle: Mapped[int] = mapped_column(Integer, default=0)
    fire_at: Mapped[datetime] = mapped_column(UTCDateTime)
    state: Mapped[str] = mapped_column(String(10), default=PENDING)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class CalendarYear(Base):
    """A year of the business calendar entered by hand (issue 13 item 6): for a year neither a
    year file nor the chinese-calendar package knows. Its `version` moves with every change to
    its days, so two admins editing one year are told, and every process sees the change (the
    SLA calendar's cache compares the sum of versions)."""

    __tablename__ = "calendar_year"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    source: Mapped[str] = mapped_column(String(200), default="")  # e.g. the State Council notice
    version: Mapped[int] = mapped_column(Integer, default=1, server_default=text("1"))

    __mapper_args__ = {"version_id_col": version}


class CalendarDay(Base):
    """One statutory holiday or one swapped working day (调休) of a hand-entered year."""

    __tablename__ = "calendar_day"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    year: Mapped[int] = mapped_column(ForeignKey("calendar_year.year"), index=True)
    kind: Mapped[str] = mapped_column(String(10))  # "holiday" | "workday"
    name: Mapped[str] = mapped_column(String(40), default="")
