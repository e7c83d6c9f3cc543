"""Call records (one row per call, whatever told us about it) and blocked caller numbers."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from helpdesk import clock
from helpdesk.auth.models import User
from helpdesk.channels.phone.causes import CallOutcome
from helpdesk.db import Base, UTCDateTime
from helpdesk.directory.models import Enterprise, enum_column


class CallDirection(enum.StrEnum):
    IN = "in"
    OUT = "out"


class CallStatus(enum.StrEnum):
    RINGING = "ringing"  # announced (newCall) or in the IVR
    ANSWERED = "answered"
    ENDED = "ended"


CAUSE_LIMIT = 64
# The cause of a call the PBX never hung up, ended by helpdesk.channels.phone.sweep.
SWEPT = "helpdesk:no-hangup"


class CallRecord(Base):
    __tablename__ = "call_record"
    __table_args__ = (
        # The callback list: missed calls nobody has called back yet, newest first.
        Index("ix_call_record_callbacks", "missed", "called_back_at", "id"),
        Index("ix_call_record_status", "status", "id"),
        Index("ix_call_record_ring_at", "ring_at"),  # the call list's period filter and order
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[str] = mapped_column(String(250), unique=True)
    source: Mapped[str] = mapped_column(String(16))  # cti, twiml, agi
    direction: Mapped[CallDirection] = mapped_column(enum_column(CallDirection))
    status: Mapped[CallStatus] = mapped_column(enum_column(CallStatus))
    from_number: Mapped[str] = mapped_column(String(64), default="")  # as the PBX sent it
    to_number: Mapped[str] = mapped_column(String(64), default="")
    caller_e164: Mapped[str | None] = mapped_column(String(20), index=True)
    caller_city: Mapped[str | None] = mapped_column(String(60))
    caller_carrier: Mapped[str | None] = mapped_column(String(60))
    queue: Mapped[str | None] = mapped_column(String(64))
    users: Mapped[list[str]] = mapped_column(JSON, default=list)  # who the PBX rang
    ring_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    answer_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    end_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    wait_seconds: Mapped[int | None] = mapped_column(Integer)
    talk_seconds: Mapped[int | None] = mapped_column(Integer)
    # 话后整理: from the hang-up until the agent pressed 完成整理 (or the wrap-up timeout)
    wrap_up_seconds: Mapped[int | None] = mapped_column(Integer)
    cause: Mapped[str | None] = mapped_column(String(CAUSE_LIMIT))  # raw, as the PBX sent it
    outcome: Mapped[CallOutcome | None] = mapped_column(enum_column(CallOutcome))  # once ended
    answering_number: Mapped[str | None] = mapped_column(String(120))
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    missed: Mapped[bool] = mapped_column(Boolean, default=False)
    called_back_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprise.id"))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contact.id"))
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("ticket.id"), index=True)
    ivr_script: Mapped[str | None] = mapped_column(String(64))
    ivr_state: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    ivr_path: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    ivr_outcome: Mapped[str | None] = mapped_column(String(24))
    transfers: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    answered_by: Mapped[User | None] = relationship()
    enterprise: Mapped[Enterprise | None] = relationship()


class BlockedNumber(Base):
    """A caller the centre refuses (harassment, robocalls): newCall answers `reject`."""

    __tablename__ = "phone_blocked_number"

    number: Mapped[str] = mapped_column(String(20), primary_key=True)  # E.164
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
