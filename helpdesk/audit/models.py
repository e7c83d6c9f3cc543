"""The sealed chain of ticket events.

No foreign key to `ticket_event` on purpose: the chain must outlive a tampered or deleted event
row so that `helpdesk audit verify` can report it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from helpdesk.db import Base, UTCDateTime


class AuditRecord(Base):
    __tablename__ = "audit_record"

    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    event_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    ticket_id: Mapped[int] = mapped_column(Integer, index=True)
    record: Mapped[str] = mapped_column(Text)  # the canonical JSON that was hashed
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    sealed_at: Mapped[datetime] = mapped_column(UTCDateTime)


class AuditCheckpoint(Base):
    """Each line of the checkpoint file, kept in the database too (helpdesk.audit.twin): the
    two places check each other, so deleting or cutting one of them is seen. Signed with the
    audit key like the file's lines; a database writer without the key cannot forge one."""

    __tablename__ = "audit_checkpoint"

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), primary_key=True
    )
    chain: Mapped[str] = mapped_column(String(20))  # "tickets" or "admin"
    seq: Mapped[int] = mapped_column(BigInteger)
    hash: Mapped[str] = mapped_column(String(64))
    at: Mapped[str] = mapped_column(String(40))
    chain_id: Mapped[str] = mapped_column(String(64))
    mac: Mapped[str] = mapped_column(String(64))
