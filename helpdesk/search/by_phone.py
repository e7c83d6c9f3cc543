"""A caller's number typed into the search box: the tickets of that contact and of the calls
from it. The word index holds no phone numbers (providers see them masked), so "139 5711 8888"
found nothing; the centre's staff look a caller up by number every day."""

from __future__ import annotations

import re

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, joinedload

from helpdesk.auth import permissions
from helpdesk.auth.models import User
from helpdesk.channels.phone.models import CallRecord
from helpdesk.directory.models import Contact
from helpdesk.directory.validation import normalise_phone
from helpdesk.errors import InvalidInput
from helpdesk.tickets.models import Ticket

LIMIT = 20
_PHONE_LIKE = re.compile(r"\+?\d{7,15}")
_SEPARATORS = re.compile(r"[\s\-()（）]")


def phone_in(text: str) -> str | None:
    """The query as an E.164 number when it is nothing but one (spaces and dashes allowed)."""
    compact = _SEPARATORS.sub("", text or "")
    if not _PHONE_LIKE.fullmatch(compact):
        return None
    try:
        return normalise_phone(compact)
    except InvalidInput:
        return None


def may_look_up(user: User) -> bool:
    """The centre's staff: provider staff see numbers masked, an enterprise its own tickets."""
    return permissions.can_see_full_phone(user) and permissions.can_see_internal(user)


def tickets_of(session: Session, e164: str) -> tuple[list[Ticket], bool]:
    """Newest first, at most LIMIT: tickets whose contact has the number, and tickets made
    from its calls; and whether there are more (the page then says it shows the newest)."""
    contacts = select(Contact.id).where(Contact.phone == e164)
    calls = select(CallRecord.ticket_id).where(
        CallRecord.caller_e164 == e164, CallRecord.ticket_id.is_not(None)
    )
    found = list(
        session.scalars(
            select(Ticket)
            .where(or_(Ticket.contact_id.in_(contacts), Ticket.id.in_(calls)))
            .options(joinedload(Ticket.contact), joinedload(Ticket.enterprise))
            .order_by(Ticket.id.desc())
            .limit(LIMIT + 1)
        ).all()
    )
    return found[:LIMIT], len(found) > LIMIT
