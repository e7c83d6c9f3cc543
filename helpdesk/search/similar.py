"""Possible duplicates: the open tickets of one enterprise that share words with what an agent
is typing on the new-ticket form.

An enterprise has few open tickets, so their search documents are read and compared here
(the share of the typed words each holds, internal notes included: staff only), instead of
an OR query over every ticket's index, which at a million tickets would match most of them.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from helpdesk.auth import permissions
from helpdesk.auth.models import User
from helpdesk.search.models import DocumentKind, SearchDocument
from helpdesk.search.segment import query_words
from helpdesk.tickets.models import OPEN_STATUSES, Ticket

LOOKED_AT = 200  # open tickets of one enterprise read at most (the newest)
SHOWN = 5


@dataclass
class Similar:
    ticket: Ticket
    score: float  # the share of the typed words the ticket holds, 0..1


def similar_open(session: Session, user: User, enterprise_id: int, text: str) -> list[Similar]:
    words = [w for w in query_words(text[:400]) if len(w) > 1]
    if not words:
        return []
    scoped = permissions.scope_tickets(select(Ticket), user)
    stmt = (
        scoped.add_columns(SearchDocument.public_words, SearchDocument.internal_words)
        .join(
            SearchDocument,
            (SearchDocument.ref_id == Ticket.id) & (SearchDocument.kind == DocumentKind.TICKET),
        )
        .where(Ticket.enterprise_id == enterprise_id, Ticket.status.in_(OPEN_STATUSES))
        .order_by(Ticket.id.desc())
        .limit(LOOKED_AT)
    )
    internal = permissions.can_see_internal(user)
    found = []
    for ticket, public, notes in session.execute(stmt):
        held = set(public.split()) | (set(notes.split()) if internal else set())
        score = sum(len(w) for w in words if w in held) / sum(len(w) for w in words)
        if score > 0:
            found.append(Similar(ticket, score))
    found.sort(key=lambda s: (-s.score, -s.ticket.id))
    return found[:SHOWN]
