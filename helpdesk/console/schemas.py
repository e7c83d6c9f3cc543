"""Response models of the console's JSON routes (documented in the OpenAPI document)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel


class DeskTickets(BaseModel):
    """Ticket summaries as the `ticket` socket event carries them, and the catch-up cursor."""

    items: list[dict[str, Any]]
    gone: list[int] = []  # asked-about tickets the caller may no longer see
    cursor: str  # pass back as `since` after a reconnect


class Wallboard(BaseModel):
    counts: dict[str, dict[str, int]]
    waiting: list[dict[str, Any]]
    agents: list[dict[str, Any]]
    sla: dict[str, Any]  # at_risk, breached (up to 200 each) and their counts
    today: dict[str, Any]
    targets: dict[str, list[dict[str, Any]]]
    cursor: str


class RevealedPhone(BaseModel):
    number: str
    phone: str | None
    phone_display: str | None = None  # national format: 0571-8700 5678
    version: int


class ChatReassigned(BaseModel):
    conversation_id: int
    agent_id: int
