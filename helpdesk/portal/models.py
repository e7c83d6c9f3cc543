"""The portal's tables: an enterprise's registration status, ratings and files on tickets."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from helpdesk import clock
from helpdesk.db import Base, UTCDateTime
from helpdesk.directory.models import enum_column


class RegistrationStatus(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class EnterpriseRegistration(Base):
    """An enterprise that registered itself on the portal; its user may log in once approved."""

    __tablename__ = "enterprise_registration"

    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    status: Mapped[RegistrationStatus] = mapped_column(
        enum_column(RegistrationStatus), default=RegistrationStatus.PENDING, index=True
    )
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))


class TicketRating(Base):
    """监督评价: one satisfaction rating per ticket, 1 to 5 with an optional comment."""

    __tablename__ = "ticket_rating"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("ticket.id"), unique=True)
    score: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str] = mapped_column(Text, default="")
    rated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    channel: Mapped[str] = mapped_column(String(16))  # portal or chat
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)


class Attachment(Base):
    """A file sent in a chat or with a portal reply. Always served as a download (nosniff);
    `key` is the unguessable name in its URL."""

    __tablename__ = "attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(43), unique=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("ticket.id"), index=True)
    conversation_id: Mapped[int | None] = mapped_column(ForeignKey("chat_conversation.id"))
    # the reply (or chat transcript) it was sent with: pages list it under that comment
    comment_id: Mapped[int | None] = mapped_column(ForeignKey("ticket_comment.id"), index=True)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
