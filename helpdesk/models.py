"""Imports every model so the metadata is complete (Alembic, tests)."""

from helpdesk.auth.models import ApiToken, User
from helpdesk.db import Base
from helpdesk.directory.models import (
    Contact,
    Enterprise,
    Organisation,
    Region,
    ServiceCategory,
)
from helpdesk.tickets.models import Comment, Ticket, TicketCounter, TicketDecline, TicketEvent

__all__ = [
    "ApiToken",
    "Base",
    "Comment",
    "Contact",
    "Enterprise",
    "Organisation",
    "Region",
    "ServiceCategory",
    "Ticket",
    "TicketCounter",
    "TicketDecline",
    "TicketEvent",
    "User",
]
