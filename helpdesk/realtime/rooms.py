"""Namespace, room and event names: one place, so emitters and listeners cannot drift apart."""

from __future__ import annotations

DESK = "/desk"  # staff: agents, supervisors, admins, provider and workstation staff

STAFF_ROOM = "staff"  # every centre user (agents, supervisors, admins)

# Events the server sends on /desk.
READY = "ready"  # after connect: who the server thinks you are and which rooms you are in


def user_room(user_id: int) -> str:
    return f"user:{user_id}"


def org_room(organisation_id: int) -> str:
    return f"org:{organisation_id}"


def ticket_room(ticket_id: int) -> str:
    return f"ticket:{ticket_id}"
