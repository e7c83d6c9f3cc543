"""The after-commit pipeline: a change's effects are done from the outbox once, after a crash
between commit and dispatch too (real Redis, time driven by the code's clock)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from rq.job import Job
from sqlalchemy import func, select, update

from helpdesk import redis_connections
from helpdesk.audit.jobs import SEAL_JOB
from helpdesk.extensions import db
from helpdesk.outbox import dispatcher
from helpdesk.outbox.models import OutboxEntry
from helpdesk.tickets import service
from helpdesk.tickets.changes import TicketChange, worth_announcing

from .test_timers import new_ticket, next_job, scheduled_ids

pytestmark = pytest.mark.slow


def waiting(session) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(OutboxEntry)) or 0


@pytest.fixture
def crash_after_commit(monkeypatch):
    """The process dies right after its commit: nobody wakes its dispatcher."""
    monkeypatch.setattr(dispatcher, "wake", lambda: None)


def test_a_committed_change_is_dispatched_once_by_the_next_dispatcher(
    session, redis, make_ticket, centre, monday, crash_after_commit
):
    ticket = new_ticket(make_ticket, centre)
    assert waiting(session) == 2  # "created" and "assigned", committed together
    assert scheduled_ids(redis) == set()
    assert not Job.exists(SEAL_JOB, connection=redis)

    assert dispatcher.dispatch_all() == 2  # another process, later
    assert scheduled_ids(redis) == {next_job(session, ticket)}
    assert Job.exists(SEAL_JOB, connection=redis)
    assert waiting(session) == 0
    assert dispatcher.dispatch_all() == 0  # nothing twice


def test_a_rolled_back_change_leaves_nothing_to_dispatch(session, redis, make_ticket, centre):
    ticket = new_ticket(make_ticket, centre)
    service.accept(session, centre["staff"], ticket)
    session.rollback()
    assert waiting(session) == 0
    assert dispatcher.dispatch_all() == 0


def test_a_released_savepoint_does_not_wake_the_dispatcher(
    session, redis, make_ticket, centre, monkeypatch
):
    # SQLAlchemy calls after_commit for a SAVEPOINT too; dispatching then (the IVR's ticket is
    # made in one) found nothing committed and, on SQLite, waited 10 s for this transaction.
    ticket = new_ticket(make_ticket, centre)
    woken: list[bool] = []
    monkeypatch.setattr(dispatcher, "wake", lambda: woken.append(True))
    with session.begin_nested():
        service.accept(session, centre["staff"], ticket)
    assert woken == []
    session.commit()
    assert woken == [True]  # the outermost commit
    pending = waiting(session)
    assert pending >= 1 and dispatcher.dispatch_all() == pending


def test_a_dead_dispatchers_claim_is_taken_over_when_its_lease_ends(
    session, redis, make_ticket, centre, monday, crash_after_commit
):
    ticket = new_ticket(make_ticket, centre)
    token, claimed = dispatcher.claim(session)  # a dispatcher claims, then dies
    assert len(claimed) == 2
    assert dispatcher.dispatch_all() == 0  # its lease still holds
    session.execute(
        update(OutboxEntry)
        .where(OutboxEntry.claim == token)
        .values(claimed_until=datetime.now(UTC) - timedelta(seconds=1))
    )
    session.commit()
    assert dispatcher.dispatch_all() == 2
    assert scheduled_ids(redis) == {next_job(session, ticket)}


def test_with_redis_down_the_change_commits_and_its_effects_wait(
    app, session, redis, sla_redis_url, make_ticket, centre, monday
):
    # nobody listens there
    app.extensions[redis_connections.REDIS_OVERRIDE] = "redis://127.0.0.1:1/0"
    try:
        ticket = new_ticket(make_ticket, centre)
    finally:
        app.extensions[redis_connections.REDIS_OVERRIDE] = sla_redis_url
    assert db.session.get(type(ticket), ticket.id) is not None
    assert waiting(session) == 2  # given back at once, not held for a lease
    assert dispatcher.dispatch_all() == 2  # Redis is back: the next dispatch books it
    assert scheduled_ids(redis) == {next_job(session, ticket)}


def change(ticket_id: int, version: int, kind: str) -> TicketChange:
    return TicketChange(ticket_id, f"HZ-{ticket_id}", version, kind, None, None, None)


def test_consoles_hear_each_tickets_last_change_and_every_move():
    batch = [
        change(1, 1, "created"),
        change(1, 2, "assigned"),
        change(2, 3, "declined"),
        change(2, 4, "assigned"),
        change(1, 3, "accepted"),
    ]
    assert [(c.ticket_id, c.kind) for c in worth_announcing(batch)] == [
        (2, "declined"),
        (2, "assigned"),
        (1, "accepted"),
    ]


def test_one_tickets_failing_effect_holds_back_only_that_ticket(
    session, redis, make_ticket, centre, monday, crash_after_commit, monkeypatch, caplog
):
    # Not Redis being down but one change's content: the bad ticket's timer key has the wrong
    # type, so RQ's booking of it fails at every try. Before, the whole outbox waited for ever.
    first, poisoned, last = (new_ticket(make_ticket, centre) for _ in range(3))
    bad_key = Job.key_for(next_job(session, poisoned))
    redis.rpush(bad_key, "x")
    assert waiting(session) == 6

    assert dispatcher.dispatch_all() == 4  # one batch: the two others' changes are done
    assert {next_job(session, first), next_job(session, last)} <= scheduled_ids(redis)
    session.expire_all()
    assert set(session.scalars(select(OutboxEntry.ticket_id))) == {poisoned.id}
    assert [r.levelname for r in caplog.records if poisoned.number in r.getMessage()] == ["ERROR"]
    assert dispatcher.dispatch_all() == 0  # kept claimed until its lease ends, not retried now

    redis.delete(bad_key)
    later = datetime.now(UTC) + dispatcher.LEASE + timedelta(seconds=1)
    monkeypatch.setattr(dispatcher, "_wall_clock", lambda: later)
    assert dispatcher.dispatch_all() == 2
    assert next_job(session, poisoned) in scheduled_ids(redis)
    assert waiting(session) == 0
