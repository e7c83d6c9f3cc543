"""Lifecycle actions, one endpoint each: POST /tickets/<number>/<action> with its own body.

The API checks scope (404) and role (403) before the body's values, so a caller learns
nothing about a ticket it may not touch; the service then enforces the state machine (409).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import BaseModel
from sqlalchemy.orm import Session

from helpdesk.api import bodies, present
from helpdesk.api import schemas as out
from helpdesk.api.registry import db_session, route
from helpdesk.api.tickets import not_found_as
from helpdesk.auth import permissions
from helpdesk.auth.models import User
from helpdesk.tickets import service
from helpdesk.tickets.models import Ticket

Apply = Callable[[Session, User, Ticket, Any], object]


def _merge(s: Session, u: User, t: Ticket, b: bodies.MergeBody) -> object:
    with not_found_as("into"):
        return service.merge(s, u, t, b.into)


ACTIONS: dict[str, tuple[type[BaseModel], str, Apply]] = {
    "assign": (
        bodies.AssignBody,
        "Send a new ticket to an organisation (and optionally a person)",
        lambda s, u, t, b: service.assign(s, u, t, b.organisation_id, b.assignee_id),
    ),
    "accept": (
        bodies.NoBody,
        "Accept an assigned ticket",
        lambda s, u, t, b: service.accept(s, u, t),
    ),
    "start": (bodies.NoBody, "Start work", lambda s, u, t, b: service.start(s, u, t)),
    "pend": (
        bodies.ReasonBody,
        "Wait on the enterprise (pauses the SLA clock)",
        lambda s, u, t, b: service.pend(s, u, t, b.reason),
    ),
    "resume": (
        bodies.NoBody,
        "Resume a pending ticket",
        lambda s, u, t, b: service.resume(s, u, t),
    ),
    "resolve": (
        bodies.ResolveBody,
        "Resolve with a summary",
        lambda s, u, t, b: service.resolve(s, u, t, b.summary),
    ),
    "close": (bodies.NoBody, "Close a resolved ticket", lambda s, u, t, b: service.close(s, u, t)),
    "reopen": (
        bodies.ReasonBody,
        "Reopen a resolved or closed ticket",
        lambda s, u, t, b: service.reopen(s, u, t, b.reason),
    ),
    "decline": (
        bodies.ReasonBody,
        "A provider sends the ticket back to routing, excluding itself",
        lambda s, u, t, b: service.decline(s, u, t, b.reason),
    ),
    "transfer": (
        bodies.TransferBody,
        "Transfer to another organisation or person",
        lambda s, u, t, b: service.transfer(s, u, t, b.organisation_id, b.assignee_id, b.reason),
    ),
    "cancel": (
        bodies.CancelBody,
        "Cancel a duplicate or spam ticket (supervisors)",
        lambda s, u, t, b: service.cancel(s, u, t, b.reason),
    ),
    "merge": (bodies.MergeBody, "Merge into the open ticket it duplicates", _merge),
}


def _scope_then_role(user: User, number: str, action: str) -> None:
    """Before the body is read: 404 outside the user's scope, then 403 for the role."""
    permissions.ensure_can_act(user, service.get_by_number(db_session(), number, user), action)


def _register(name: str, body: type[BaseModel], summary: str, apply: Apply) -> None:
    def act(user: User, number: str, body: BaseModel) -> out.TicketOut:
        ticket = service.get_by_number(db_session(), number, user)
        permissions.ensure_can_act(user, ticket, name)
        apply(db_session(), user, ticket, body)
        return present.ticket(user, ticket)

    route(
        f"/tickets/<number>/{name}",
        "POST",
        summary=summary,
        tag="ticket actions",
        endpoint=f"action_{name}",
        before=lambda user, path: _scope_then_role(user, path["number"], name),
        body=body,
        response=out.TicketOut,
        errors=(403, 404, 409),
    )(act)


for _name, (_body, _summary, _apply) in ACTIONS.items():
    _register(_name, _body, _summary, _apply)
