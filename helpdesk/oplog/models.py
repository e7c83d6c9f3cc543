"""Admin changes and their sealed chain.

No foreign keys on purpose, as for `audit_record`: a change must outlive the person who made
it and the record it changed, and the chain must outlive a tampered row so that verify reports
it. Rows are only ever inserted.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from helpdesk import clock
from helpdesk.db import Base, UTCDateTime


class AdminChange(Base):
    __tablename__ = "admin_change"

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), primary_key=True
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now, index=True)
    actor_id: Mapped[int | None] = mapped_column(Integer, index=True)  # None: the CLI
    actor_login: Mapped[str] = mapped_column(String(64))  # who, as they were called then
    kind: Mapped[str] = mapped_column(String(40), index=True)  # e.g. "user.updated"
    target_type: Mapped[str] = mapped_column(String(20))  # "user"
    target_id: Mapped[int] = mapped_column(Integer)
    target_label: Mapped[str] = mapped_column(String(64))  # the login, for the list
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class AdminSeal(Base):
    __tablename__ = "admin_seal"

    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    change_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    record: Mapped[str] = mapped_column(Text)  # the canonical JSON that was hashed
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    sealed_at: Mapped[datetime] = mapped_column(UTCDateTime)
