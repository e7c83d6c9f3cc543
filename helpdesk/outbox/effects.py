"""The effects of a batch of committed ticket changes, in the order they matter to people."""

from __future__ import annotations

from sqlalchemy.orm import Session

from helpdesk.audit.jobs import request_seal
from helpdesk.realtime.fanout import fan_out_batch
from helpdesk.sla import timers
from helpdesk.tickets.changes import TicketChange, worth_announcing


def apply(session: Session, changes: list[TicketChange]) -> None:
    """Consoles told, each ticket's next SLA timer booked, the audit seal requested.
    Raises RedisError when Redis is unreachable (the batch is then retried)."""
    ticket_ids = list(dict.fromkeys(change.ticket_id for change in changes))
    next_timers = timers.next_timers(session, ticket_ids)
    fan_out_batch(session, worth_announcing(changes))  # never raises
    session.rollback()  # end the read before talking to Redis
    redis = timers.connection()
    if redis is None:  # no Redis configured (a test, a CLI command): nothing to book
        return
    timers.schedule(redis, next_timers)
    request_seal(redis)
