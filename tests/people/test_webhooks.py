"""Outgoing webhooks (issue 13 item 8): an administrator subscribes an address to ticket events
(the secret shown once); a committed change becomes a delivery (an outbox effect), POSTed with
an HMAC-SHA256 signature over a timestamp and the body, retried with growing pauses, logged with
the answer, sent again by hand; private and loopback addresses are refused unless allowed."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import threading
from collections.abc import Callable, Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from web.helpers import login, page

from helpdesk import clock
from helpdesk.auth.models import Role, User
from helpdesk.directory.models import Organisation
from helpdesk.oplog.models import AdminChange
from helpdesk.webhooks import jobs, safety, service
from helpdesk.webhooks.models import Webhook, WebhookDelivery


class Receiver:
    """An HTTP endpoint on loopback that answers with the next queued status (200 when none)."""

    def __init__(self) -> None:
        self.requests: list[tuple[dict[str, str], bytes]] = []
        self.statuses: list[int] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                receiver.requests.append((dict(self.headers.items()), body))
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                self.end_headers()
                self.wfile.write(b"ok" if status == 200 else b"busy")

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/helpdesk"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    found = Receiver()
    yield found
    found.close()


@pytest.fixture
def private_allowed(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    """HELPDESK_WEBHOOK_PRIVATE=allow, as a test receiver on loopback needs."""
    monkeypatch.setitem(app.extensions, safety.KEY, True)


def _secret(html: str) -> str:
    found = re.search(r'<code class="token-value" id="webhook-secret">([0-9a-f]{64})</code>', html)
    assert found, html[:1500]
    return found.group(1)


def _subscribe(client: FlaskClient, url: str, *events: str):
    return client.post("/admin/webhooks", data={"url": url, "events": list(events)})


def _deliveries(session: Session) -> list[WebhookDelivery]:
    session.expire_all()
    return list(session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id)))


def test_private_and_loopback_addresses_are_refused(
    client: FlaskClient, admin: User, session: Session
) -> None:
    login(client, admin)
    for url in ("http://127.0.0.1:8000/x", "http://10.1.2.3/x", "http://localhost/x",
                "http://[::1]/x", "http://169.254.169.254/latest"):  # fmt: skip
        reply = _subscribe(client, url, "ticket.created")
        assert reply.status_code == 422, url
        assert "私有或回环网络" in reply.get_data(as_text=True), url
    bad = _subscribe(client, "ftp://example.cn/x", "ticket.created")
    assert bad.status_code == 422 and "https://example.cn/hooks/helpdesk" in bad.get_data(
        as_text=True
    )
    none = _subscribe(client, "http://10.1.2.3/x")
    assert "请至少选择一个事件" in none.get_data(as_text=True)
    assert session.scalars(select(Webhook)).first() is None


def test_a_ticket_event_is_delivered_signed(
    client: FlaskClient, admin: User, session: Session, receiver: Receiver,
    private_allowed: None, make_ticket: Callable[..., object],
) -> None:  # fmt: skip
    login(client, admin)
    reply = _subscribe(client, receiver.url, "ticket.created", "ticket.resolved")
    assert reply.status_code == 200
    secret = _secret(reply.get_data(as_text=True))
    assert secret not in page(client, "/admin/webhooks")  # shown once
    ticket = make_ticket()
    [delivery] = _deliveries(session)  # written by the outbox effect of the commit
    assert delivery.event == "ticket.created" and delivery.status == "pending"
    assert jobs.deliver_job(delivery.id) == "done"
    [(headers, body)] = receiver.requests
    timestamp = headers["X-Helpdesk-Timestamp"]
    expected = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    assert headers["X-Helpdesk-Signature"] == "sha256=" + expected.hexdigest()
    assert abs(int(timestamp) - clock.now().timestamp()) < 60
    payload = json.loads(body)
    assert payload["event"] == "ticket.created"
    assert payload["ticket"]["number"] == ticket.number  # type: ignore[attr-defined]
    [delivery] = _deliveries(session)
    assert delivery.status == "delivered" and delivery.response_status == 200
    log = page(client, "/admin/webhooks")
    assert "已送达" in log and ticket.number in log  # type: ignore[attr-defined]


def test_a_failed_delivery_is_retried_with_backoff_then_given_up(
    session: Session, receiver: Receiver, private_allowed: None,
    make_ticket: Callable[..., object],
) -> None:  # fmt: skip
    service.subscribe(session, "cli:test", receiver.url, ["ticket.created"])
    session.commit()
    make_ticket()
    [delivery] = _deliveries(session)
    receiver.statuses = [500, 503]
    clock.freeze(clock.now())
    assert service.deliver(session, delivery.id) == timedelta(seconds=30)
    assert service.deliver(session, delivery.id) == timedelta(seconds=120)
    [delivery] = _deliveries(session)
    assert delivery.status == "retrying" and delivery.attempts == 2
    assert delivery.response_status == 503 and delivery.next_at == clock.now() + timedelta(
        seconds=120
    )
    assert service.deliver(session, delivery.id) is None  # 200 at last
    assert _deliveries(session)[0].status == "delivered"
    receiver.statuses = [500] * 10
    tickets_made = make_ticket()
    later = _deliveries(session)[-1]
    waits = [service.deliver(session, later.id) for _ in range(6)]
    assert waits[:5] == [timedelta(seconds=s) for s in service.BACKOFF] and waits[5] is None
    assert _deliveries(session)[-1].status == "failed" and tickets_made is not None


def test_redelivery_by_hand_and_the_log(
    client: FlaskClient, admin: User, session: Session, receiver: Receiver,
    private_allowed: None, make_ticket: Callable[..., object],
) -> None:  # fmt: skip
    service.subscribe(session, admin, receiver.url, ["ticket.created"])
    session.commit()
    make_ticket()
    [delivery] = _deliveries(session)
    receiver.statuses = [500]
    service.deliver(session, delivery.id)
    login(client, admin)
    assert "失败，将重试" in page(client, "/admin/webhooks")
    reply = client.post(f"/admin/webhooks/deliveries/{delivery.id}/redeliver")
    assert reply.status_code == 302
    assert len(receiver.requests) == 2
    assert _deliveries(session)[0].status == "delivered"
    kinds = session.scalars(select(AdminChange.kind).order_by(AdminChange.id)).all()
    assert kinds == ["webhook.subscribed", "webhook.redelivered"]


def test_an_address_that_turns_private_is_refused_at_delivery(
    app: Flask, session: Session, receiver: Receiver, make_ticket: Callable[..., object],
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    monkeypatch.setitem(app.extensions, safety.KEY, True)
    service.subscribe(session, "cli:test", receiver.url, ["ticket.created"])
    session.commit()
    monkeypatch.setitem(app.extensions, safety.KEY, False)
    make_ticket()
    [delivery] = _deliveries(session)
    service.deliver(session, delivery.id)
    assert receiver.requests == []
    assert "refused" in (_deliveries(session)[0].error or "")


def test_a_batch_done_twice_delivers_once(
    session: Session, receiver: Receiver, private_allowed: None,
    make_ticket: Callable[..., object],
) -> None:  # fmt: skip
    from helpdesk.tickets.changes import TicketChange

    service.subscribe(session, "cli:test", receiver.url, ["ticket.created"])
    session.commit()
    change = TicketChange(1, "HZ-1", 1, "created", None, None, None)
    first = service.queue_changes(session, [change])
    session.commit()
    again = service.queue_changes(session, [change])
    session.commit()
    assert first == again and len(_deliveries(session)) == 1


def test_nobody_but_an_admin_gets_in(
    client: FlaskClient, make_user: Callable[..., User], centre: Organisation
) -> None:
    login(client, make_user(Role.SUPERVISOR, centre))
    assert client.get("/admin/webhooks").status_code == 403
    assert client.post("/admin/webhooks", data={"url": "https://example.cn"}).status_code == 403


def test_rotating_and_removing(
    client: FlaskClient, admin: User, session: Session, private_allowed: None,
    receiver: Receiver,
) -> None:  # fmt: skip
    hook, first = service.subscribe(session, admin, receiver.url, ["ticket.created"])
    session.commit()
    login(client, admin)
    second = _secret(client.post(f"/admin/webhooks/{hook.id}/rotate").get_data(as_text=True))
    assert second != first
    assert client.post(f"/admin/webhooks/{hook.id}/remove").status_code == 302
    session.expire_all()
    assert session.get(Webhook, hook.id).active is False  # type: ignore[union-attr]
