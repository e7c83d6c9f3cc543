"""Revealing a masked phone number: a deliberate act, kept in the ticket's own history.

The event is written through the tickets service (`note`: the event, the version bump and
the after-commit announcement together), so the audit chain seals it like any
other change. Staff see numbers in full anyway; only a masked reader's reveal is an event.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from helpdesk.auth import permissions
from helpdesk.auth.models import User
from helpdesk.directory.models import Contact
from helpdesk.tickets import service
from helpdesk.tickets.models import Ticket

REVEALED = "phone_revealed"


def reveal_phone(session: Session, user: User, ticket: Ticket) -> str | None:
    permissions.ensure_visible(user, ticket, ticket.number)
    contact = session.get(Contact, ticket.contact_id) if ticket.contact_id else None
    if contact is None or not contact.phone:
        return None
    if not permissions.can_see_full_phone(user):
        data = {"contact_id": contact.id}
        service.note(session, user, ticket, REVEALED, data)
    return contact.phone
