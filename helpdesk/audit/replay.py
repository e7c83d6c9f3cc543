"""Replaying each ticket's events against its current row and comments (issue 16 item 9).

Every event keeps digests of the ticket row after the change, and of the comment it added
(helpdesk.tickets.fingerprint, `ticket_event.state`); the chain seals them. A row or comment
changed behind the tickets service (by SQL) no longer matches its ticket's last event: named
here by ticket and field. The chain check (audit.verify) makes sure the events themselves
were not rewritten to match.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from helpdesk.tickets import fingerprint
from helpdesk.tickets.models import Comment, Ticket, TicketEvent

CHUNK = 2_000


def _latest_states(session: Session) -> dict[int, dict[str, Any]]:
    """Each ticket's newest event state (events from before states were kept have none)."""
    newest = (
        select(func.max(TicketEvent.id))
        .where(TicketEvent.state.is_not(None))
        .group_by(TicketEvent.ticket_id)
    )
    found: dict[int, dict[str, Any]] = {}
    ids = list(session.scalars(newest))
    for start in range(0, len(ids), CHUNK):
        rows = session.execute(
            select(TicketEvent.ticket_id, TicketEvent.state).where(
                TicketEvent.id.in_(ids[start : start + CHUNK])
            )
        )
        for ticket_id, state in rows:
            found[ticket_id] = state or {}
    return found


def _comment_digests(session: Session) -> dict[int, tuple[int, str]]:
    """comment id -> (ticket id, digest) from the "commented" events that added them, or the
    newest "anonymised" event that rewrote them (retention: helpdesk.retention)."""
    found: dict[int, tuple[int, str]] = {}
    rows = session.execute(
        select(TicketEvent.ticket_id, TicketEvent.state)
        .where(TicketEvent.kind.in_(("commented", "anonymised")), TicketEvent.state.is_not(None))
        .order_by(TicketEvent.id)
    )
    for ticket_id, state in rows:
        comment = (state or {}).get("comment")
        if isinstance(comment, dict) and "id" in comment:
            found[int(comment["id"])] = (ticket_id, str(comment.get("sha")))
        for rewritten in (state or {}).get("comments") or ():
            if isinstance(rewritten, dict) and int(rewritten.get("id", 0)) in found:
                found[int(rewritten["id"])] = (ticket_id, str(rewritten.get("sha")))
    return found


def _tickets(session: Session, ids: list[int]) -> Iterator[Ticket]:
    for start in range(0, len(ids), CHUNK):
        yield from session.scalars(select(Ticket).where(Ticket.id.in_(ids[start : start + CHUNK])))


def _differing(state: dict[str, Any], ticket: Ticket) -> list[str]:
    expected = state.get("row") or {}
    actual = fingerprint.of_row(ticket)
    return [n for n in fingerprint.TRACKED if n in expected and expected[n] != actual[n]]


def _newest_state(session: Session, ticket_id: int) -> dict[str, Any]:
    state = session.scalars(
        select(TicketEvent.state)
        .where(TicketEvent.ticket_id == ticket_id, TicketEvent.state.is_not(None))
        .order_by(TicketEvent.id.desc())
        .limit(1)
    ).first()
    return state or {}


def _fresh(session: Session, ticket: Ticket) -> Ticket:
    session.refresh(ticket)
    return ticket


def check(session: Session) -> tuple[list[str], int]:
    """Problems (one per ticket field or comment), and how many tickets were replayed."""
    problems: list[str] = []
    states = _latest_states(session)
    numbers: dict[int, str] = {}
    for ticket in _tickets(session, sorted(states)):
        numbers[ticket.id] = ticket.number
        differ = _differing(states[ticket.id], ticket)
        if differ:  # perhaps changed by the service since the states were read: look again
            differ = _differing(_newest_state(session, ticket.id), _fresh(session, ticket))
        for name in differ:
            problems.append(
                f"ticket {ticket.number} (id {ticket.id}): {name} is not what its last event "
                "recorded (changed outside the tickets service)"
            )
    for ticket_id in sorted(set(states) - set(numbers)):
        problems.append(f"ticket id {ticket_id}: has sealed events but its row is gone (deleted)")
    problems.extend(_check_comments(session, numbers))
    return problems, len(states)


def _check_comments(session: Session, numbers: dict[int, str]) -> list[str]:
    problems: list[str] = []
    digests = _comment_digests(session)
    if not digests:
        return problems
    first_covered = min(digests)
    seen: set[int] = set()
    rows = session.execute(
        select(Comment.id, Comment.ticket_id, Comment.body, Comment.internal).order_by(Comment.id)
    )
    for comment_id, ticket_id, body, internal in rows:
        number = numbers.get(ticket_id, f"id {ticket_id}")
        known = digests.get(comment_id)
        if known is None:
            if comment_id > first_covered:  # older comments predate the digests
                problems.append(
                    f"ticket {number}: comment {comment_id} has no event (inserted by SQL)"
                )
            continue
        seen.add(comment_id)
        if known[0] != ticket_id:
            problems.append(
                f"ticket {number}: comment {comment_id} was recorded on another ticket (moved)"
            )
        elif known[1] != fingerprint.of_comment(body, internal):
            problems.append(f"ticket {number}: comment {comment_id}'s text or visibility changed")
    for comment_id in sorted(set(digests) - seen):
        ticket_id = digests[comment_id][0]
        number = numbers.get(ticket_id, f"id {ticket_id}")
        problems.append(f"ticket {number}: comment {comment_id} is gone (deleted)")
    return problems
