"""A ticket's history as the detail pages show it: events oldest first, comments in place with
the files sent with them. An enterprise gets only what helpdesk.tickets.public allows it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, load_only

from helpdesk.auth import permissions
from helpdesk.auth.models import User
from helpdesk.directory.models import Organisation
from helpdesk.portal.models import Attachment
from helpdesk.tickets import public, queries
from helpdesk.tickets.models import Comment, Ticket, TicketEvent


@dataclass
class Item:
    event: TicketEvent
    at: datetime
    actor: str | None
    comment: Comment | None = None
    details: dict[str, str] = field(default_factory=dict)  # localized label key -> value
    files: list[Attachment] = field(default_factory=list)  # sent with the comment


def _org_ids(events: list[TicketEvent]) -> set[int]:
    ids: set[int] = set()
    for e in events:
        for part in (e.data, e.data.get("from") or {}, e.data.get("to") or {}):
            if isinstance(part, dict) and isinstance(part.get("organisation_id"), int):
                ids.add(part["organisation_id"])
    return ids


def _people(session: Session, events: list[TicketEvent]) -> dict[int, str]:
    """Names of the people transfers were sent from and to: a supervisor's 改派 within the
    centre read "服务中心 → 服务中心", naming nobody."""
    ids = {
        part["assignee_id"]
        for e in events
        if e.kind == "transferred"
        for part in (e.data.get("from") or {}, e.data.get("to") or {})
        if isinstance(part, dict) and isinstance(part.get("assignee_id"), int)
    }
    if not ids:
        return {}
    rows = session.execute(select(User.id, User.name).where(User.id.in_(ids)))
    return {row.id: row.name for row in rows}


def _holder(side: dict[str, object], orgs: dict[int, str], people: dict[int, str]) -> str:
    org = side.get("organisation_id")
    person = side.get("assignee_id")
    named = orgs.get(org, "?") if isinstance(org, int) else "—"
    return f"{named} · {people[person]}" if isinstance(person, int) and person in people else named


def _files_by_comment(session: Session, ticket: Ticket) -> dict[int, list[Attachment]]:
    """The ticket's files that came with a comment; the bytes stay in the database."""
    rows = session.scalars(
        select(Attachment)
        .where(Attachment.ticket_id == ticket.id, Attachment.comment_id.is_not(None))
        .order_by(Attachment.id)
        .options(
            load_only(
                Attachment.id,
                Attachment.key,
                Attachment.filename,
                Attachment.size,
                Attachment.comment_id,
            )
        )
    )
    found: dict[int, list[Attachment]] = {}
    for row in rows:
        found.setdefault(row.comment_id or 0, []).append(row)
    return found


def _public_items(session: Session, user: User, ticket: Ticket) -> list[Item]:
    """The enterprise's timeline: its public events, with only the facts meant for it."""
    events = queries.timeline(session, user, ticket)
    notes = {c.id: c for c in queries.comments(session, user, ticket)}
    files = _files_by_comment(session, ticket)
    names = public.organisation_names(session, events)
    items = []
    for e in events:
        facts = public.public_facts(e, names)
        note = notes.get(facts.get("comment_id") or 0)
        if e.kind == "commented" and note is None:
            continue
        item = Item(e, e.at, e.actor.name if e.actor else None, note)
        item.details = {k: str(v) for k, v in facts.items() if k != "comment_id"}
        item.files = files.get(note.id, []) if note else []
        items.append(item)
    return items


def timeline_items(session: Session, user: User, ticket: Ticket) -> list[Item]:
    if not permissions.can_see_internal(user):
        return _public_items(session, user, ticket)
    events = queries.timeline(session, user, ticket)
    notes = {c.id: c for c in queries.comments(session, user, ticket)}
    files = _files_by_comment(session, ticket)
    ids = _org_ids(events)
    names = {}
    if ids:
        rows = session.execute(
            select(Organisation.id, Organisation.name).where(Organisation.id.in_(ids))
        )
        names = {row.id: row.name for row in rows}
    people = _people(session, events)
    items = []
    for e in events:
        note = notes.get(e.data.get("comment_id") or 0)
        if e.kind == "commented" and note is None:
            continue  # an internal note the user may not see
        item = Item(e, e.at, e.actor.name if e.actor else None, note)
        item.files = files.get(note.id, []) if note else []
        data = e.data
        if isinstance(data.get("organisation_id"), int) and e.kind in ("assigned", "declined"):
            item.details["organisation"] = names.get(data["organisation_id"], "?")
        if e.kind == "transferred":
            item.details["from"] = _holder(data.get("from") or {}, names, people)
            item.details["to"] = _holder(data.get("to") or {}, names, people)
        for key in ("reason", "summary", "into", "rule", "comment", "outcome", "complaint"):
            if isinstance(data.get(key), str):
                item.details[key] = data[key]
        if e.kind == "merged_from" and isinstance(data.get("from"), str):
            item.details["merged_from"] = data["from"]
        items.append(item)
    return items
