"""Chat conversations and their messages. Every conversation belongs to a ticket (channel chat).

Messages carry a sequence number per conversation, so a client that reconnects asks for what
came after the last number it saw (nothing lost), and a client's own `client_id` makes a resent
message a no-op (nothing twice).
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from helpdesk import clock
from helpdesk.db import Base, UTCDateTime
from helpdesk.directory.models import enum_column
from helpdesk.tickets.models import Ticket


class ConversationStatus(enum.StrEnum):
    QUEUED = "queued"  # waiting for an agent
    ACTIVE = "active"  # an agent accepted it
    ENDED = "ended"


class Sender(enum.StrEnum):
    VISITOR = "visitor"
    AGENT = "agent"
    SYSTEM = "system"


class Conversation(Base):
    __tablename__ = "chat_conversation"
    __table_args__ = (
        Index("ix_chat_conversation_status", "status", "id"),
        Index("ix_chat_conversation_agent", "agent_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)  # SHA-256 of the visitor's key
    ticket_id: Mapped[int] = mapped_column(ForeignKey("ticket.id"), index=True)
    status: Mapped[ConversationStatus] = mapped_column(
        enum_column(ConversationStatus), default=ConversationStatus.QUEUED
    )
    visitor_name: Mapped[str] = mapped_column(String(60))
    visitor_phone: Mapped[str | None] = mapped_column(String(20))
    visitor_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    category_code: Mapped[str] = mapped_column(ForeignKey("service_category.code"))
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    note: Mapped[str | None] = mapped_column(String(500))  # the last transfer's note
    last_seq: Mapped[int] = mapped_column(Integer, default=0)
    visitor_read_seq: Mapped[int] = mapped_column(Integer, default=0)
    agent_read_seq: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    ticket: Mapped[Ticket] = relationship()


class Message(Base):
    __tablename__ = "chat_message"
    __table_args__ = (
        UniqueConstraint("conversation_id", "seq"),
        UniqueConstraint("conversation_id", "client_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("chat_conversation.id"))
    seq: Mapped[int] = mapped_column(Integer)
    sender: Mapped[Sender] = mapped_column(enum_column(Sender))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    client_id: Mapped[str | None] = mapped_column(String(40))
    body: Mapped[str] = mapped_column(Text, default="")
    attachment_id: Mapped[int | None] = mapped_column(ForeignKey("attachment.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
