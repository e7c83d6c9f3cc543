"""Reads of the chat channel for other pages (the supervisors' wallboard)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from helpdesk.channels.chat.models import Conversation, ConversationStatus


def waiting_for_wallboard(session: Session, now: datetime) -> list[dict[str, Any]]:
    """Chats waiting for an agent, oldest first, in the wallboard's shape for waiting calls."""
    waiting = session.scalars(
        select(Conversation)
        .where(Conversation.status == ConversationStatus.QUEUED)
        .order_by(Conversation.id)
        .limit(100)
    )
    return [
        {
            "kind": "chat",
            "id": c.id,
            "who": c.visitor_name,
            "queue": c.category_code,
            "since": c.created_at.isoformat(),
            "wait_seconds": int((now - c.created_at).total_seconds()),
        }
        for c in waiting
    ]
