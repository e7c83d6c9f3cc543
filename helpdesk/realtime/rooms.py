"""Namespace, room and event names: one place, so emitters and listeners cannot drift apart.

Rooms on `/desk` (every join is authorised by `helpdesk.realtime.access.may_join`):

- `user:<id>`      one person's sockets (screen pops, alerts, their own tickets)
- `org:<id>`       everyone in one organisation (the centre's queue, a provider's desk)
- `supervisors`    supervisors and admins: the wallboard sees every ticket and presence change
- `staff`          every centre user (agents, supervisors, admins): broadcast notices
- `ticket:<id>`    whoever has that ticket open, joined on request after `can_view`
"""

from __future__ import annotations

DESK = "/desk"  # staff: agents, supervisors, admins, provider and workstation staff

STAFF_ROOM = "staff"  # every centre user (agents, supervisors, admins)
SUPERVISORS_ROOM = "supervisors"  # supervisors and admins (wallboard)

# Events the server sends on /desk.
READY = "ready"  # after connect: who the server thinks you are and which rooms you are in
TICKET = "ticket"  # a ticket changed: its summary, `version` and the change `kind`
TICKET_GONE = "ticket.gone"  # a ticket left your scope (transferred, declined): drop it
PRESENCE = "presence"  # a person's presence changed (to supervisors and to the person)
REVOKED = "revoked"  # your session ended (logout, role change, suspension): the socket closes
REFUSED = "refused"  # a join or action was refused (also the ack of the refused request)
SLA_ALERT = "sla_alert"  # an SLA step fired for you (helpdesk.realtime.notify)

# Events the client sends on /desk.
JOIN = "join"  # {"room": "ticket:42"} -> ack {"ok": bool, "room": ...}
LEAVE = "leave"
SET_PRESENCE = "presence"  # {"state": "available" | "busy" | "after_call" | "away"}


def user_room(user_id: int) -> str:
    return f"user:{user_id}"


def org_room(organisation_id: int) -> str:
    return f"org:{organisation_id}"


def ticket_room(ticket_id: int) -> str:
    return f"ticket:{ticket_id}"


def parse(room: str) -> tuple[str, int | None]:
    """`("ticket", 42)` for "ticket:42", `("supervisors", None)`; unknown shapes give ("", None)."""
    if room in (STAFF_ROOM, SUPERVISORS_ROOM):
        return room, None
    kind, _, ident = room.partition(":")
    if kind in ("user", "org", "ticket") and ident.isdigit() and len(ident) < 12:
        return kind, int(ident)
    return "", None
