"""The README's production layout, shown (issue 17 item 8): two `helpdesk web` processes on one
PostgreSQL database and one Redis. A supervisor's console connected to process A sees a ticket
created through process B's REST API, and a chat a visitor starts on B is offered to an agent
connected to A — each waited for on the socket event itself.

Needs a PostgreSQL server (HELPDESK_TEST_DATABASE_URL, as CI's PostgreSQL stage sets); without
one it skips saying so, and CI's SQLite stage leaves it out (tests/realtime/conftest.py).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests
import socketio
from sqlalchemy.engine import make_url

from helpdesk.auth import tokens
from helpdesk.auth.models import Role
from helpdesk.directory.models import OrgKind
from realtime.live import DESK, Web, login, run_web

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not os.environ.get("HELPDESK_TEST_DATABASE_URL"),
        reason="two web processes on PostgreSQL: set HELPDESK_TEST_DATABASE_URL to a server",
    ),
]

CHAT = "/chat"
VISITOR = {"name": "王先生", "phone": "13957112345", "category": "finance/guarantee"}
WAIT = 15.0  # seconds: a generous bound on a busy machine; the wait ends at the event


class Peer:
    """A real python-socketio client on one namespace; `wait` blocks until a matching event
    arrives (a condition the client's handler signals), not for a fixed time."""

    def __init__(self, base: str, namespace: str, http: requests.Session | None = None) -> None:
        self.namespace = namespace
        self.events: list[tuple[str, Any]] = []
        self.arrived = threading.Condition()
        self.client = socketio.Client(http_session=http, reconnection=False)
        self.client.on("*", self._record, namespace=namespace)
        self.client.connect(base, namespaces=[namespace], transports=["websocket"], wait_timeout=10)

    def _record(self, event: str, *args: Any) -> None:
        with self.arrived:
            self.events.append((event, args[0] if args else None))
            self.arrived.notify_all()

    def wait(self, event: str, match: Callable[[Any], bool] = lambda _: True) -> Any:
        def found() -> Any:
            return next((d for e, d in reversed(self.events) if e == event and match(d)), None)

        with self.arrived:
            got = self.arrived.wait_for(found, timeout=WAIT)
        assert got is not None, f"no {event} on {self.namespace} in {WAIT} s: {self.events[-5:]}"
        return got

    def call(self, event: str, data: dict[str, Any] | None = None) -> Any:
        return self.client.call(event, data or {}, namespace=self.namespace, timeout=10)

    def close(self) -> None:
        if self.client.connected:
            self.client.disconnect()


@pytest.fixture
def second(web: Web, settings: Any, tmp_path: Any) -> Iterator[Web]:
    """Process B: another `helpdesk web` on the same database and the same Redis as A."""
    assert make_url(settings.database_url).get_backend_name() == "postgresql"
    with run_web(settings, web.redis_url, tmp_path / "web-b.log") as running:
        assert running.base != web.base
        yield running


@pytest.fixture
def people(make_org, make_user, fresh_presence):
    centre = make_org(OrgKind.SERVICE_CENTRE, slug="centre")
    return {
        "bank": make_org(slug="bank-a"),
        "agent": make_user(Role.AGENT, centre, name="李娜"),
        "supervisor": make_user(Role.SUPERVISOR, centre, name="王敏"),
    }


def test_a_console_on_a_sees_a_ticket_created_through_b_api(
    web: Web, second: Web, people, session
) -> None:
    _token, raw = tokens.issue(session, "cli:test", people["agent"].login, "对接", "write", None)
    session.commit()
    wall = Peer(web.base, DESK, login(web.base, people["supervisor"].login))
    try:
        wall.wait("ready")
        response = requests.post(
            f"{second.base}/api/v1/tickets",
            json={
                "subject": "跨进程担保贷款咨询",
                "category": "finance/guarantee",
                "district": "330109",
                "channel": "phone",
                "contact_phone": "13800138000",
                "organisation_id": people["bank"].id,
            },
            headers={"Authorization": f"Bearer {raw}"},
            timeout=10,
        )
        assert response.status_code == 201, response.text
        number = response.json()["number"]
        seen = wall.wait("ticket", lambda t: t["number"] == number)
        assert seen["subject"] == "跨进程担保贷款咨询"
        assert seen["organisation"]["id"] == people["bank"].id
    finally:
        wall.close()


def test_a_chat_started_on_b_is_offered_to_an_agent_on_a(web: Web, second: Web, people) -> None:
    desk = Peer(web.base, CHAT, login(web.base, people["agent"].login))
    visitor = None
    try:
        assert desk.wait("hello")["role"] == "agent"
        visitor = Peer(second.base, CHAT)
        assert visitor.wait("hello")["open"] is True  # B knows the agent on A is there
        started = visitor.call("start", VISITOR)
        assert started["ok"], started
        offer = desk.wait(
            "queue_list", lambda items: any(i["ticket"] == started["ticket"] for i in items)
        )
        shown = next(i for i in offer if i["ticket"] == started["ticket"])
        assert shown["visitor"] == "王先生" and shown["offered_to"] in (None, people["agent"].id)
        # The agent on A takes it; the visitor on B is told through the same Redis.
        taken = desk.call("accept", {"conversation_id": shown["conversation_id"]})
        assert taken["ok"], taken
        assert visitor.wait("state", lambda s: s["status"] == "active")["agent"] == "李娜"
    finally:
        desk.close()
        if visitor is not None:
            visitor.close()
