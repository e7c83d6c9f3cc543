"""One row per ticket change waiting for its after-commit effects (see the package doc)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from helpdesk.db import Base, UTCDateTime


class OutboxEntry(Base):
    __tablename__ = "outbox_entry"
    __table_args__ = (Index("ix_outbox_entry_claim", "claim"),)

    # 64 bits on PostgreSQL (a busy queue churns ids); SQLite's INTEGER PRIMARY KEY already is.
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    ticket_id: Mapped[int] = mapped_column(Integer)  # no foreign key: a transient row
    number: Mapped[str] = mapped_column(String(32))
    version: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(32))
    organisation_id: Mapped[int | None] = mapped_column(Integer)
    assignee_id: Mapped[int | None] = mapped_column(Integer)
    enterprise_id: Mapped[int | None] = mapped_column(Integer)
    # A dispatcher's claim: its token and until when it holds the entry (wall-clock time, not
    # the business clock tests drive: a lease is about a process being alive).
    claim: Mapped[str | None] = mapped_column(String(32))
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
