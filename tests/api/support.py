"""API test helpers: a small JSON client, "nothing written" counts, the error body shape."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from helpdesk.auth.models import User
from helpdesk.directory.models import Enterprise, Organisation
from helpdesk.tickets.models import Ticket, TicketEvent

API = "/api/v1"


class Api:
    """A test client that talks JSON to /api/v1 as one user (or nobody)."""

    def __init__(self, client: FlaskClient, headers: dict[str, str] | None = None) -> None:
        self.client = client
        self.headers = headers or {}

    def get(self, path: str, **query: Any) -> TestResponse:
        return self.client.get(API + path, query_string=query, headers=self.headers)

    def post(self, path: str, body: Any = None, **kwargs: Any) -> TestResponse:
        if body is not None:
            kwargs["json"] = body
        return self.client.post(API + path, headers=self.headers, **kwargs)


@dataclass
class World:
    org_a: Organisation
    org_b: Organisation
    centre: Organisation
    agent: User
    supervisor: User
    provider_a: User
    provider_b: User
    enterprise_1: Enterprise
    enterprise_2: Enterprise
    ent_user_1: User
    ent_user_2: User
    ticket_a: Ticket  # assigned to org A, filed for enterprise 1
    ticket_b: Ticket  # assigned to org B, filed for enterprise 2


def rows(session: Session) -> tuple[int, int]:
    """(tickets, ticket events) in the database: what "nothing written" is checked against."""
    session.expire_all()
    tickets = session.scalar(select(func.count(Ticket.id)))
    events = session.scalar(select(func.count(TicketEvent.id)))
    return int(tickets or 0), int(events or 0)


def error_of(response: TestResponse, status: int) -> dict[str, Any]:
    """The {"error": {...}} body of a response that must have `status`."""
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    assert response.is_json, response.get_data(as_text=True)[:300]
    body = response.get_json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "field"}
    return dict(body["error"])
