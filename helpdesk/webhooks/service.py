"""Subscribing, queueing a batch's deliveries, sending one, redelivering by hand.

Subscribe, rotate the secret and remove are admin changes in the operations log. A delivery is
POSTed as JSON with X-Helpdesk-Event, X-Helpdesk-Delivery, X-Helpdesk-Timestamp and
X-Helpdesk-Signature: `sha256=` + HMAC-SHA256(secret, "<timestamp>.<body>"), so the receiver
can check both the sender and the freshness.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from datetime import datetime, timedelta
from typing import Any

import requests
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from helpdesk import clock, reference_version
from helpdesk.oplog.record import record_change
from helpdesk.tickets.changes import TicketChange
from helpdesk.webhooks import safety
from helpdesk.webhooks.models import Webhook, WebhookDelivery

# The ticket changes one may subscribe to, with the page's words.
EVENTS = {
    "ticket.created": _l("Ticket filed"),
    "ticket.assigned": _l("Ticket assigned"),
    "ticket.accepted": _l("Ticket accepted"),
    "ticket.transferred": _l("Ticket transferred"),
    "ticket.escalated": _l("Ticket escalated"),
    "ticket.resolved": _l("Ticket resolved"),
    "ticket.closed": _l("Ticket closed"),
    "ticket.reopened": _l("Ticket reopened"),
    "ticket.rated": _l("Ticket rated"),
}
BACKOFF = (30, 120, 600, 1800, 7200)  # seconds before attempts 2..6
TIMEOUT = 10.0
RESPONSE_LIMIT = 2000


class WebhookErrors(ValueError):
    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors


def _url_errors(url: str) -> dict[str, str]:
    from flask_babel import gettext as _

    if len(url) > 500:
        return {"url": _("At most %(n)d characters.", n=500)}
    try:
        safety.check(url)
    except safety.UnsafeUrl as exc:
        if exc.reason == "private":
            return {"url": _("This address is in a private or loopback network: refused, so "
                             "that webhooks cannot reach the platform's own servers.")}  # fmt: skip
        if exc.reason == "unresolvable":
            return {"url": _("This host name does not resolve.")}
        return {"url": _("An address like https://example.cn/hooks/helpdesk.")}
    return {}


def subscribe(session: Session, actor: Any, url: str, events: list[str]) -> tuple[Webhook, str]:
    """A new subscription and its secret (shown once); the caller commits."""
    from flask_babel import gettext as _

    url = url.strip()
    errors = _url_errors(url)
    chosen = [e for e in EVENTS if e in events]
    if not chosen or len(chosen) != len(set(events)):
        errors["events"] = _("Choose at least one event from the list.")
    if errors:
        raise WebhookErrors(errors)
    secret = secrets.token_hex(32)
    hook = Webhook(url=url, events=chosen, secret=secret, active=True, created_at=clock.now())
    session.add(hook)
    session.flush()
    reference_version.reread()  # this process's dispatcher looks for subscriptions again
    record_change(session, actor, "webhook.subscribed", "webhook", hook.id, url[:64], None,
                  {"url": url, "events": chosen})  # fmt: skip
    return hook, secret


def rotate_secret(session: Session, actor: Any, hook: Webhook) -> str:
    hook.secret = secrets.token_hex(32)
    record_change(session, actor, "webhook.secret_rotated", "webhook", hook.id, hook.url[:64],
                  None, {"secret": "rotated"})  # fmt: skip
    return hook.secret


def remove(session: Session, actor: Any, hook: Webhook) -> None:
    """Stop sending (kept, inactive, with its delivery log)."""
    if not hook.active:
        return
    hook.active = False
    reference_version.reread()
    record_change(session, actor, "webhook.removed", "webhook", hook.id, hook.url[:64],
                  {"active": True}, {"active": False})  # fmt: skip


def queue_changes(session: Session, changes: list[TicketChange]) -> list[int]:
    """One pending delivery per subscribed change; the ids of the batch's pending deliveries.
    Idempotent: a batch done again finds its deliveries by their event key (delivery is at
    least once: receivers dedupe by X-Helpdesk-Delivery). The caller commits."""
    hooks = session.scalars(select(Webhook).where(Webhook.active.is_(True))).all()
    if not hooks:
        return []
    wanted = [(c, _event(c.kind)) for c in changes if _event(c.kind) in EVENTS]
    keys = {f"ticket:{c.ticket_id}:v{c.version}" for c, _event in wanted}
    if not keys:
        return []
    done = {
        (row.webhook_id, row.event_key)
        for row in session.execute(
            select(WebhookDelivery.webhook_id, WebhookDelivery.event_key).where(
                WebhookDelivery.event_key.in_(keys)
            )
        )
    }
    new = []
    now = clock.now()
    for change, event in wanted:
        key = f"ticket:{change.ticket_id}:v{change.version}"
        for hook in hooks:
            if event not in hook.events or (hook.id, key) in done:
                continue
            new.append(
                WebhookDelivery(
                    webhook_id=hook.id,
                    event_key=key,
                    event=event,
                    status="pending",
                    attempts=0,
                    next_at=now,
                    created_at=now,
                    payload=_payload(change, event, now),
                )
            )
    session.add_all(new)
    session.flush()
    # a batch done again (its Redis step failed) sends what it queued the first time
    return list(
        session.scalars(
            select(WebhookDelivery.id).where(
                WebhookDelivery.event_key.in_(keys), WebhookDelivery.status == "pending"
            )
        )
    )


def _event(kind: str) -> str:
    """A ticket event's kind as subscribers know it (the SLA ladder's step is "escalated")."""
    return "ticket.escalated" if kind == "sla_escalate" else f"ticket.{kind}"


def _payload(change: TicketChange, event: str, at: datetime) -> dict[str, Any]:
    """What happened, without personal data: the receiver reads the ticket through the API."""
    return {
        "event": event,
        "at": at.isoformat(timespec="seconds"),
        "ticket": {
            "number": change.number,
            "version": change.version,
            "organisation_id": change.organisation_id,
            "assignee_id": change.assignee_id,
        },
    }


def sign(secret: str, timestamp: str, body: bytes) -> str:
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def deliver(session: Session, delivery_id: int) -> timedelta | None:
    """Send one delivery now and log the answer; the wait before the next attempt when it
    should be retried, else None. Commits."""
    delivery = session.get(WebhookDelivery, delivery_id)
    if delivery is None or delivery.status == "delivered":
        return None
    hook = delivery.webhook
    delivery.attempts += 1
    delivery.response_status = None
    delivery.response_body = None
    delivery.error = None
    if not hook.active:
        delivery.status, delivery.error = "failed", "the subscription was removed"
        session.commit()
        return None
    body = json.dumps(delivery.payload, ensure_ascii=False, sort_keys=True).encode("utf-8")
    timestamp = str(int(clock.now().timestamp()))
    ok = False
    try:
        safety.check(hook.url)
        reply = requests.post(
            hook.url, data=body, timeout=TIMEOUT, allow_redirects=False,
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "User-Agent": "helpdesk-webhooks/1",
                "X-Helpdesk-Event": delivery.event,
                "X-Helpdesk-Delivery": str(delivery.id),
                "X-Helpdesk-Timestamp": timestamp,
                "X-Helpdesk-Signature": sign(hook.secret, timestamp, body),
            },
        )  # fmt: skip
        delivery.response_status = reply.status_code
        delivery.response_body = reply.text[:RESPONSE_LIMIT]
        ok = 200 <= reply.status_code < 300
    except safety.UnsafeUrl as exc:
        delivery.error = f"refused: {exc}"[:300]
    except requests.RequestException as exc:
        delivery.error = f"{type(exc).__name__}: {exc}"[:300]
    now = clock.now()
    if ok:
        delivery.status, delivery.delivered_at, delivery.next_at = "delivered", now, None
        session.commit()
        return None
    if delivery.attempts > len(BACKOFF):
        delivery.status, delivery.next_at = "failed", None
        session.commit()
        return None
    wait = timedelta(seconds=BACKOFF[delivery.attempts - 1])
    delivery.status, delivery.next_at = "retrying", now + wait
    session.commit()
    return wait


def redeliver(session: Session, actor: Any, delivery: WebhookDelivery) -> None:
    """By hand, from the delivery log: send again whatever happened before."""
    delivery.status = "pending"
    delivery.attempts = 0
    delivery.next_at = clock.now()
    record_change(session, actor, "webhook.redelivered", "webhook", delivery.webhook_id,
                  delivery.webhook.url[:64], None, {"delivery": delivery.id})  # fmt: skip
