"""What retention anonymised: one row per record, so a run never does a record twice and
`audit verify` can say how many records were anonymised. A ticket's transcript is also an
"anonymised" event in the ticket's chain (helpdesk.tickets.service.anonymise_comments)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from helpdesk import clock
from helpdesk.db import Base, UTCDateTime


class Erasure(Base):
    __tablename__ = "retention_erasure"
    __table_args__ = (UniqueConstraint("kind", "record_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(24))  # helpdesk.retention.config.KINDS
    record_id: Mapped[int] = mapped_column(Integer)
    ticket_id: Mapped[int | None] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
