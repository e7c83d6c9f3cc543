"""A ticket's history as the detail page shows it: events oldest first, comments in place."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from helpdesk.auth.models import User
from helpdesk.directory.models import Organisation
from helpdesk.tickets import queries
from helpdesk.tickets.models import Comment, Ticket, TicketEvent


@dataclass
class Item:
    event: TicketEvent
    at: datetime
    actor: str | None
    comment: Comment | None = None
    details: dict[str, str] = field(default_factory=dict)  # localized label key -> value


def _org_ids(events: list[TicketEvent]) -> set[int]:
    ids: set[int] = set()
    for e in events:
        for part in (e.data, e.data.get("from") or {}, e.data.get("to") or {}):
            if isinstance(part, dict) and isinstance(part.get("organisation_id"), int):
                ids.add(part["organisation_id"])
    return ids


def timeline_items(session: Session, user: User, ticket: Ticket) -> list[Item]:
    events = queries.timeline(session, user, ticket)
    notes = {c.id: c for c in queries.comments(session, user, ticket)}
    ids = _org_ids(events)
    names = {}
    if ids:
        rows = session.execute(
            select(Organisation.id, Organisation.name).where(Organisation.id.in_(ids))
        )
        names = {row.id: row.name for row in rows}
    items = []
    for e in events:
        note = notes.get(e.data.get("comment_id") or 0)
        if e.kind == "commented" and note is None:
            continue  # an internal note the user may not see
        item = Item(e, e.at, e.actor.name if e.actor else None, note)
        data = e.data
        if isinstance(data.get("organisation_id"), int) and e.kind in ("assigned", "declined"):
            item.details["organisation"] = names.get(data["organisation_id"], "?")
        if e.kind == "transferred":
            before = (data.get("from") or {}).get("organisation_id")
            after = (data.get("to") or {}).get("organisation_id")
            item.details["from"] = names.get(before, "—") if before else "—"
            item.details["to"] = names.get(after, "?")
        for key in ("reason", "summary", "into", "rule"):
            if isinstance(data.get(key), str):
                item.details[key] = data[key]
        if e.kind == "merged_from" and isinstance(data.get("from"), str):
            item.details["merged_from"] = data["from"]
        items.append(item)
    return items
