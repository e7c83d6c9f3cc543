"""The loop's tables: follow-up tasks (回访 and the supervisor's) and provider watches (观察).

A follow-up's answer itself is a `ticket_rating` row (the portal's table), so every channel's
satisfaction is in one place; these rows only say who still has to call whom.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from helpdesk import clock
from helpdesk.db import Base, UTCDateTime
from helpdesk.directory.models import Organisation
from helpdesk.tickets.models import Ticket

# follow-up kinds
CALLBACK = "callback"  # an agent calls a phone or walk-in caller back after resolution
SUPERVISOR = "supervisor"  # a 不满意 answer: a supervisor looks into it
# follow-up states
OPEN, DONE, UNREACHABLE = "open", "done", "unreachable"
# watch states
WATCH, SUSPENDED, LIFTED = "watch", "suspended", "lifted"


class FollowUp(Base):
    __tablename__ = "follow_up"
    __table_args__ = (
        UniqueConstraint("ticket_id", "kind"),
        Index("ix_follow_up_state_kind", "state", "kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("ticket.id"))
    kind: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(16), default=OPEN)
    tries: Mapped[int] = mapped_column(Integer, default=0)
    note: Mapped[str] = mapped_column(Text, default="")  # the last attempt's or the outcome's
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    done_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    ticket: Mapped[Ticket] = relationship()


class ProviderWatch(Base):
    """One 观察 of a provider: opened by the bar, then suspended or lifted by a supervisor."""

    __tablename__ = "provider_watch"
    __table_args__ = (Index("ix_provider_watch_org_state", "organisation_id", "state"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    state: Mapped[str] = mapped_column(String(16), default=WATCH)
    reasons: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decision_note: Mapped[str] = mapped_column(Text, default="")

    organisation: Mapped[Organisation] = relationship()
