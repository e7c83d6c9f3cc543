"""The effects of a batch of committed ticket changes, in the order they matter to people."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from helpdesk import redis_connections, reference_version
from helpdesk.audit.jobs import request_seal
from helpdesk.realtime.fanout import fan_out_batch
from helpdesk.sla import timers
from helpdesk.tickets.changes import TicketChange, worth_announcing
from helpdesk.webhooks import jobs as webhook_jobs
from helpdesk.webhooks import service as webhooks


def apply(session: Session, changes: list[TicketChange], announce: bool = True) -> None:
    """Consoles told (unless `announce` is false: they were, by the failed batch's try), each
    ticket's next SLA timer booked, the audit seal requested, the subscribed webhooks'
    deliveries written and queued.
    Raises RedisError when Redis is unreachable or refuses a command (the dispatcher tells
    the two apart), or whatever a step's bug raises."""
    # Consoles first: their emit waits for nothing but the claim and the summaries' one read
    # (bench/console_fanout.py measures request -> console).
    if announce:
        fan_out_batch(session, worth_announcing(changes))  # never raises
    ticket_ids = list(dict.fromkeys(change.ticket_id for change in changes))
    next_timers = timers.next_timers(session, ticket_ids)
    deliveries = _webhook_deliveries(session, changes)
    session.rollback()  # end the read before talking to Redis
    redis = redis_connections.connection()
    if redis is None:  # no Redis configured (a test, a CLI command): nothing to book
        return
    timers.schedule(redis, next_timers)
    request_seal(redis)
    webhook_jobs.enqueue(redis, deliveries)


def _webhook_deliveries(session: Session, changes: list[TicketChange]) -> list[int]:
    """The subscribed changes' delivery rows, committed before their jobs are queued."""
    if reference_version.current(session)["webhooks"] == (0,):
        return []  # no subscription (the usual desk): no read of them, no commit
    try:
        deliveries = webhooks.queue_changes(session, changes)
        session.commit()
    except IntegrityError:  # another dispatcher did this batch at the same moment
        session.rollback()
        return []
    return deliveries
