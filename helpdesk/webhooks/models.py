"""Webhook subscriptions and their deliveries (the delivery log)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from helpdesk import clock
from helpdesk.db import Base, UTCDateTime


class Webhook(Base):
    __tablename__ = "webhook"

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(500))
    events: Mapped[list[str]] = mapped_column(JSON, default=list)  # e.g. ["ticket.created"]
    secret: Mapped[str] = mapped_column(String(64))  # the HMAC key; shown once, rotatable
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)


class WebhookDelivery(Base):
    """One event for one subscription. `event_key` makes a batch done twice (after a crash)
    deliver once: the ticket and its version."""

    __tablename__ = "webhook_delivery"
    __table_args__ = (UniqueConstraint("webhook_id", "event_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    webhook_id: Mapped[int] = mapped_column(
        ForeignKey("webhook.id", ondelete="CASCADE"), index=True
    )
    event_key: Mapped[str] = mapped_column(String(80))
    event: Mapped[str] = mapped_column(String(40))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(
        String(16), default="pending"
    )  # pending|retrying|delivered|failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    response_status: Mapped[int | None] = mapped_column(Integer)
    response_body: Mapped[str | None] = mapped_column(Text)  # the first 2,000 characters
    error: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now, index=True)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    webhook: Mapped[Webhook] = relationship()
