"""Ticket, its events (the audit outbox), comments, declines, and the daily number counter."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from helpdesk import clock
from helpdesk.auth.models import User
from helpdesk.db import Base, UTCDateTime
from helpdesk.directory.models import (
    Contact,
    Enterprise,
    Organisation,
    Region,
    ServiceCategory,
    enum_column,
)


class TicketType(enum.StrEnum):
    REQUEST = "request"
    INQUIRY = "inquiry"
    COMPLAINT = "complaint"
    SUGGESTION = "suggestion"


class Channel(enum.StrEnum):
    PHONE = "phone"
    CHAT = "chat"
    PORTAL = "portal"
    WALK_IN = "walk_in"


class Priority(enum.StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


class Status(enum.StrEnum):
    NEW = "new"
    ASSIGNED = "assigned"
    ACCEPTED = "accepted"
    IN_PROGRESS = "in_progress"
    PENDING = "pending"
    RESOLVED = "resolved"
    CLOSED = "closed"
    CANCELLED = "cancelled"
    MERGED = "merged"


OPEN_STATUSES = frozenset(
    {Status.NEW, Status.ASSIGNED, Status.ACCEPTED, Status.IN_PROGRESS, Status.PENDING}
)


class Ticket(Base):
    __tablename__ = "ticket"
    __table_args__ = (
        # Queue pages: one organisation's open or given-status tickets, newest first (keyset on id).
        Index("ix_ticket_queue", "assigned_org_id", "is_open", "id"),
        Index("ix_ticket_org_status", "assigned_org_id", "status", "id"),
        Index("ix_ticket_status", "status", "id"),
        Index("ix_ticket_open", "is_open", "id"),
        Index("ix_ticket_enterprise", "enterprise_id", "id"),
        Index("ix_ticket_assignee", "assignee_id", "is_open", "id"),
        Index("ix_ticket_category", "category_code", "id"),
        Index("ix_ticket_district", "district_code", "id"),
        Index("ix_ticket_created_at", "created_at"),  # a day's tickets (statistics)
        Index("ix_ticket_updated_at", "updated_at"),  # tickets changed since (statistics)
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    type: Mapped[TicketType] = mapped_column(enum_column(TicketType))
    channel: Mapped[Channel] = mapped_column(enum_column(Channel))
    category_code: Mapped[str] = mapped_column(ForeignKey("service_category.code"))
    district_code: Mapped[str] = mapped_column(ForeignKey("region.code"))
    enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprise.id"))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contact.id"))
    subject: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    priority: Mapped[Priority] = mapped_column(enum_column(Priority), default=Priority.NORMAL)
    status: Mapped[Status] = mapped_column(enum_column(Status), default=Status.NEW)
    is_open: Mapped[bool] = mapped_column(Boolean, default=True)  # indexed shortcut for the queues
    assigned_org_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    # Indexed: deleting a ticket checks both foreign keys pointing at it, and the complaints
    # about a ticket / the tickets merged into one are looked up by these columns.
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("ticket.id"), index=True)
    related_ticket_id: Mapped[int | None] = mapped_column(ForeignKey("ticket.id"), index=True)
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)  # added by routing rules
    sla_policy: Mapped[str | None] = mapped_column(String(64))  # named by the routing rule
    version: Mapped[int] = mapped_column(Integer, default=1)  # bumped on every change
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    first_response_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    category: Mapped[ServiceCategory] = relationship()
    district: Mapped[Region] = relationship()
    enterprise: Mapped[Enterprise | None] = relationship()
    contact: Mapped[Contact | None] = relationship()
    assigned_org: Mapped[Organisation | None] = relationship()
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id])
    merged_into: Mapped[Ticket | None] = relationship(
        foreign_keys=[merged_into_id], remote_side=[id]
    )


class TicketEvent(Base):
    """One row per change, written in the change's own transaction: the audit outbox."""

    __tablename__ = "ticket_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("ticket.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    from_status: Mapped[str | None] = mapped_column(String(24))
    to_status: Mapped[str | None] = mapped_column(String(24))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    internal: Mapped[bool] = mapped_column(Boolean, default=False)  # hidden from enterprises
    # The ticket row (and the comment, for "commented") after this change, as digests
    # (helpdesk.tickets.fingerprint); sealed with the event, replayed by `audit verify`.
    state: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    actor: Mapped[User | None] = relationship()


class Comment(Base):
    """A public reply (the enterprise sees it) or an internal note (staff only)."""

    __tablename__ = "ticket_comment"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("ticket.id"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    body: Mapped[str] = mapped_column(Text)
    internal: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    author: Mapped[User | None] = relationship()


class TicketDecline(Base):
    """A provider that sent the ticket back; routing skips it for this ticket."""

    __tablename__ = "ticket_decline"

    ticket_id: Mapped[int] = mapped_column(ForeignKey("ticket.id"), primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), primary_key=True)
    reason: Mapped[str] = mapped_column(String(500))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)


class TicketCounter(Base):
    """The last number handed out on each local day; incremented atomically."""

    __tablename__ = "ticket_counter"

    day: Mapped[str] = mapped_column(String(8), primary_key=True)
    last: Mapped[int] = mapped_column(Integer)


class OrgOpenCount(Base):
    """Open tickets at each organisation, kept by the tickets service with every change that
    moves a ticket in or out of an organisation's open queue (helpdesk/tickets/open_counts.py),
    so routing reads a candidate's load in a few rows instead of counting its backlog. Several
    rows (stripes) per organisation, summed when read: each change moves its database
    connection's stripe, so concurrent creations for one organisation rarely wait on each
    other's row lock."""

    __tablename__ = "org_open_count"

    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), primary_key=True)
    stripe: Mapped[int] = mapped_column(SmallInteger, primary_key=True, default=0)
    open_tickets: Mapped[int] = mapped_column(Integer, default=0)
