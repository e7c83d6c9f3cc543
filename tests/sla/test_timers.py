"""Timers on a real Redis with real RQ workers (burst mode), time driven by the code's clock."""

from __future__ import annotations

from datetime import timedelta

import pytest
from rq import Queue
from rq.registry import ScheduledJobRegistry
from sqlalchemy import delete

from helpdesk import clock, redis_connections
from helpdesk.extensions import db
from helpdesk.sla import timers
from helpdesk.sla.escalation import fire
from helpdesk.sla.models import FIRED, PENDING, STOPPED, SlaStage, TicketSla
from helpdesk.sla.recovery import TimerWatch
from helpdesk.tickets import service

from .conftest import sla_events, stages

pytestmark = pytest.mark.slow


def new_ticket(make_ticket, centre):
    return make_ticket(organisation_id=centre["provider"].id, assignee_id=centre["staff"].id)


def scheduled_ids(redis) -> set[str]:
    registry = ScheduledJobRegistry(queue=Queue(timers.QUEUE, connection=redis))
    return set(registry.get_job_ids())


def next_job(session, ticket) -> str:
    pending = [s for s in stages(session, ticket.id).values() if s.state == PENDING]
    first = min(pending, key=lambda s: (s.fire_at, s.id))
    return timers.job_id(first.id, first.fire_at)


def test_creating_a_ticket_books_its_first_timer_only(session, redis, make_ticket, centre, monday):
    ticket = new_ticket(make_ticket, centre)
    pending = [s for s in stages(session, ticket.id).values() if s.state == PENDING]
    assert len(pending) == 6  # first response and resolution × warn, escalate, supervise
    warn = stages(session, ticket.id)[("first_response", "warn", 0)]
    assert (
        scheduled_ids(redis)
        == {timers.job_id(warn.id, warn.fire_at)}
        == {next_job(session, ticket)}
    )


def test_each_fired_or_stopped_step_books_the_next(
    app, session, redis, make_ticket, centre, monday
):
    from helpdesk.sla import jobs

    ticket = new_ticket(make_ticket, centre)
    warn = stages(session, ticket.id)[("first_response", "warn", 0)]
    clock.freeze(warn.fire_at)
    session.rollback()
    with app.app_context():
        assert jobs.fire(warn.id) == "fired"
    escalate = stages(session, ticket.id)[("first_response", "escalate", 0)]
    assert timers.job_id(escalate.id, escalate.fire_at) in scheduled_ids(redis)
    service.accept(session, centre["staff"], ticket)  # first response given: its ladder stops
    session.commit()
    assert next_job(session, ticket) in scheduled_ids(redis)
    assert stages(session, ticket.id)[("first_response", "escalate", 0)].state == STOPPED


def test_a_job_started_early_does_nothing_and_reschedules(
    session, redis, make_ticket, centre, monday
):
    ticket = new_ticket(make_ticket, centre)
    warn = stages(session, ticket.id)[("first_response", "warn", 0)]
    clock.freeze(warn.fire_at - timedelta(seconds=5))
    assert fire(session, warn.id, wait=False).result == "early"
    assert sla_events(session, ticket.id) == []
    clock.freeze(warn.fire_at - timedelta(milliseconds=300))  # RQ's typical early start
    assert fire(session, warn.id, wait=False).result == "early"
    assert stages(session, ticket.id)[("first_response", "warn", 0)].state == PENDING


def test_the_ladder_fires_each_step_once_and_flags_overdue(
    session, redis, burst, make_ticket, centre, monday
):
    ticket = new_ticket(make_ticket, centre)
    clock.advance(timedelta(hours=4, minutes=45))  # 13:45: past the 80 % warning only
    timers.reconcile(session, redis)  # due now: enqueued at once
    session.rollback()
    burst()
    kinds = [e.kind for e in sla_events(session, ticket.id)]
    assert kinds == ["sla_warn"]
    assert sla_events(session, ticket.id)[0].data["notified"] == [centre["staff"].id]
    clock.advance(timedelta(hours=3))  # 16:45: past 100 % and 150 %
    timers.reconcile(session, redis)
    session.rollback()
    burst()
    burst()  # nothing left, nothing repeated
    events = sla_events(session, ticket.id)
    assert [e.kind for e in events] == ["sla_warn", "sla_escalate", "sla_supervise"]
    assert events[1].data["notified"] == [centre["staff"].id]  # the provider has no supervisor
    assert events[2].data["notified"] == [centre["supervisor"].id]  # 督办: the centre
    assert all(e.internal and e.data["late_ms"] >= 0 for e in events)
    session.expire_all()
    assert session.get(TicketSla, ticket.id).overdue


def test_the_ladder_stops_when_the_ticket_is_accepted(
    session, redis, burst, make_ticket, centre, monday
):
    ticket = new_ticket(make_ticket, centre)
    clock.advance(timedelta(hours=4, minutes=45))
    timers.reconcile(session, redis)
    session.rollback()
    burst()
    service.accept(session, centre["staff"], ticket)
    session.commit()
    clock.advance(timedelta(hours=3))
    burst()  # the old jobs run: each re-reads its stage and finds it stopped
    assert [e.kind for e in sla_events(session, ticket.id)] == ["sla_warn"]
    found = stages(session, ticket.id)
    assert found[("first_response", "escalate", 0)].state == STOPPED


def test_firing_twice_acts_once(session, redis, make_ticket, centre, monday):
    ticket = new_ticket(make_ticket, centre)
    warn = stages(session, ticket.id)[("first_response", "warn", 0)]
    clock.freeze(warn.fire_at)
    assert fire(session, warn.id).result == "fired"
    assert fire(session, warn.id).result == "done"
    assert len(sla_events(session, ticket.id)) == 1


def test_timers_of_closed_and_deleted_tickets_stop_quietly(
    session, redis, burst, make_ticket, centre, monday
):
    closed = new_ticket(make_ticket, centre)
    warn = stages(session, closed.id)[("first_response", "warn", 0)]
    # the ticket closes behind the timer's back (as if the hook had not run): the job checks
    session.execute(delete(SlaStage).where(SlaStage.ticket_id == closed.id, SlaStage.id != warn.id))
    closed.status = closed.status.CANCELLED
    session.commit()
    clock.freeze(warn.fire_at + timedelta(minutes=1))
    assert fire(session, warn.id).result == "stopped"
    assert stages(session, closed.id)[("first_response", "warn", 0)].state == STOPPED
    assert fire(session, 999_999).result == "gone"
    Queue(timers.QUEUE, connection=redis).enqueue("helpdesk.sla.jobs.fire", 424_242)
    burst()  # a job for a stage that no longer exists: finished, no crash loop
    assert Queue(timers.QUEUE, connection=redis).count == 0


def test_flushall_then_the_reconciler_restores_every_timer(
    session, redis, make_ticket, centre, monday
):
    tickets = [new_ticket(make_ticket, centre) for _ in range(5)]
    service.accept(session, centre["staff"], tickets[0])
    session.commit()
    pending = {next_job(session, t) for t in tickets}
    assert pending <= scheduled_ids(redis)  # (a stopped stage's job lingers as a no-op)
    redis.flushall()
    assert scheduled_ids(redis) == set()
    result = timers.reconcile(session, redis)
    assert (result.pending, result.restored) == (len(pending), len(pending))
    assert scheduled_ids(redis) == pending
    assert timers.reconcile(session, redis).restored == 0  # nothing missing the second time


def test_a_flushed_timer_still_fires_after_reconcile(
    session, redis, burst, make_ticket, centre, monday
):
    ticket = new_ticket(make_ticket, centre)
    redis.flushall()
    clock.advance(timedelta(hours=8))  # every first-response step is due
    timers.reconcile(session, redis)
    session.rollback()
    burst()
    kinds = [e.kind for e in sla_events(session, ticket.id)]
    assert kinds == ["sla_warn", "sla_escalate", "sla_supervise"]
    fired = [s for s in stages(session, ticket.id).values() if s.state == FIRED]
    assert len(fired) == 3


def test_a_ticket_change_with_redis_down_still_commits(app, session, make_ticket, centre, monday):
    # nobody listens there
    app.extensions[redis_connections.REDIS_OVERRIDE] = "redis://127.0.0.1:1/0"
    try:
        ticket = new_ticket(make_ticket, centre)
    finally:
        app.extensions.pop(redis_connections.REDIS_OVERRIDE, None)
    assert db.session.get(TicketSla, ticket.id) is not None


def test_a_fired_step_is_a_live_notification_and_shows_on_the_ticket_page(
    app, client, session, redis, make_ticket, make_user, centre, monday
):
    from helpdesk.auth.models import Role
    from helpdesk.sla import jobs

    ticket = new_ticket(make_ticket, centre)
    warn = stages(session, ticket.id)[("first_response", "warn", 0)]
    clock.freeze(warn.fire_at)
    listener = redis.pubsub()
    listener.subscribe("flask-socketio")  # the channel every web process listens on
    listener.get_message(timeout=1)  # the subscribe confirmation
    session.rollback()
    with app.app_context():
        assert jobs.fire(warn.id) == "fired"
    alerts = []
    for _ in range(20):  # other listeners of ticket changes publish on the same channel
        message = listener.get_message(timeout=0.5)
        if message is not None and b"sla_alert" in message["data"]:
            alerts.append(message["data"])
            break
    listener.close()
    assert alerts, "no sla_alert published"
    assert f"user:{centre['staff'].id}".encode() in alerts[0]

    supervisor = make_user(Role.SUPERVISOR)
    client.post("/login", data={"login": supervisor.login, "password": "secret-pass"})
    page = client.get(f"/tickets/{ticket.number}")
    assert page.status_code == 200 and "sla_warn" in page.get_data(as_text=True)


def test_worker_maintenance_books_the_reconciler_and_the_sealer(app, redis):
    from rq.job import Job

    from helpdesk.audit.jobs import SEAL_JOB
    from helpdesk.sla import jobs

    with app.app_context():
        jobs.on_worker_maintenance(redis)
        jobs.on_worker_maintenance(redis)  # idempotent
    booked = scheduled_ids(redis)
    assert len([j for j in booked if j.startswith("sla-reconcile-")]) == 1
    assert Job.exists(SEAL_JOB, connection=redis)
    with app.app_context():
        assert jobs.reconcile() == {"pending": 0, "present": 0, "restored": 0}


def test_a_starting_worker_fires_its_backlog_itself_and_drops_those_jobs(
    session, redis, burst, make_ticket, centre, monday
):
    """Issue 16: a worker restarted between kills spent its few seconds on one queued job per
    due timer and fell ever further behind. At start it now fires what is due in one pass, in
    due order, and the jobs for those timers are gone: nothing waits behind them, nothing twice."""
    tickets = [new_ticket(make_ticket, centre) for _ in range(3)]
    warns = [stages(session, t.id)[("first_response", "warn", 0)] for t in tickets]
    booked = {timers.job_id(w.id, w.fire_at) for w in warns}
    assert booked <= scheduled_ids(redis)
    clock.freeze(max(w.fire_at for w in warns) + timedelta(seconds=30))  # warnings due, no more
    session.rollback()

    TimerWatch(redis).check(session)  # what a worker does first

    assert all(s.state == FIRED for s in (session.get(SlaStage, w.id) for w in warns))
    assert not booked & (scheduled_ids(redis) | set(Queue(timers.QUEUE, connection=redis).job_ids))
    assert {next_job(session, t) for t in tickets} <= scheduled_ids(redis)  # the next step
    burst()  # whatever is left in Redis runs: no warning a second time
    for ticket in tickets:
        assert [e.kind for e in sla_events(session, ticket.id)] == ["sla_warn"]


def test_a_timer_job_fires_every_due_stage_once_and_none_early(
    app, session, redis, make_ticket, centre, monday
):
    from helpdesk.sla import jobs

    tickets = [new_ticket(make_ticket, centre) for _ in range(3)]
    warns = [stages(session, t.id)[("first_response", "warn", 0)] for t in tickets]
    due = max(w.fire_at for w in warns)
    clock.freeze(due)
    assert fire(session, warns[1].id, wait=False).result == "fired"  # another firer was first
    session.rollback()
    with app.app_context():
        assert jobs.fire(warns[0].id) == "fired"  # and the third ticket's warn with it
        assert jobs.fire(warns[2].id) == "done"  # its job finds the work done
    for ticket in tickets:
        assert [e.kind for e in sla_events(session, ticket.id)] == ["sla_warn"]
        escalate = stages(session, ticket.id)[("first_response", "escalate", 0)]
        assert escalate.state == PENDING and escalate.fire_at > due  # not due: not fired
        assert timers.job_id(escalate.id, escalate.fire_at) in scheduled_ids(redis)
    # the batch dropped the timer jobs of what it fired, so RQ does not run them for nothing
    assert not {timers.job_id(w.id, w.fire_at) for w in (warns[0], warns[2])} & scheduled_ids(redis)
