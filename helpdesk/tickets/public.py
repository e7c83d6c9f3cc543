"""What an enterprise may see of its ticket's history: a list of event kinds and, for each,
the facts in its data that are meant for the enterprise.

A list of what to show rather than of what to hide: a new event kind, or a new key in an
event's data (the routing decision grew a trace, candidates, tags), stays with the staff until
someone decides the enterprise should see it. Internal events never reach here.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from helpdesk.directory.models import Organisation
from helpdesk.tickets.models import TicketEvent

#: kind -> the keys of its data the enterprise sees. A provider's decline is the centre's
#: business (the ticket just goes on to the next organisation), so it is not listed.
PUBLIC_FACTS: dict[str, tuple[str, ...]] = {
    "created": ("channel",),
    "assigned": ("organisation",),
    "accepted": (),
    "started": (),
    "pended": ("reason",),  # what was asked of the enterprise
    "resumed": (),
    "resolved": ("summary",),
    "closed": (),
    "reopened": ("reason",),  # the enterprise's own words
    "transferred": ("organisation",),
    "cancelled": ("reason",),  # duplicate or spam: a code the pages put in words
    "merged": ("into",),
    "merged_from": ("from",),
    "commented": ("comment_id",),
    "rated": ("score",),
}


def is_public(event: TicketEvent) -> bool:
    return not event.internal and event.kind in PUBLIC_FACTS


def _organisation_id(event: TicketEvent) -> int | None:
    """The organisation the ticket went to: `organisation_id` when assigned, `to` when moved."""
    data = event.data or {}
    found = data.get("organisation_id")
    if event.kind == "transferred":
        found = (data.get("to") or {}).get("organisation_id")
    return found if isinstance(found, int) else None


def organisation_names(session: Session, events: Iterable[TicketEvent]) -> dict[int, str]:
    ids = {i for i in (_organisation_id(e) for e in events) if i is not None}
    if not ids:
        return {}
    rows = session.execute(
        select(Organisation.id, Organisation.name).where(Organisation.id.in_(ids))
    )
    return {row.id: row.name for row in rows}


def public_facts(event: TicketEvent, names: dict[int, str]) -> dict[str, Any]:
    """The event's data as the enterprise sees it; the organisation by its name, not its id."""
    data = event.data or {}
    facts: dict[str, Any] = {}
    for key in PUBLIC_FACTS.get(event.kind, ()):
        if key == "organisation":
            org_id = _organisation_id(event)
            if org_id is not None and org_id in names:
                facts[key] = names[org_id]
        elif data.get(key) is not None:
            facts[key] = data[key]
    return facts
