"""Timers in RQ: one scheduled job per ticket, for its next pending stage, and the reconciler
that restores them.

The database (`sla_stage`) is the list of timers; Redis only fires them, one at a time per
ticket: the job that fires a stage books the ticket's next one (`schedule_next`), and a change
to the ticket books whichever stage became its next. A job's id is
``sla-<fire time in ms>-<stage id>``: the same stage and time always give the same job, so
scheduling twice is harmless, and the RQ scheduler (which enqueues the jobs due in a second in
id order) hands a second's timers to the worker in the order they are due.

RQ stores due times in whole seconds and starts a job up to a second early (ARCHITECTURE.md);
the job itself never acts early (`escalation.fire`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from redis import Redis
from redis.exceptions import RedisError
from rq import Queue, Retry
from rq.job import Job
from rq.registry import ScheduledJobRegistry, StartedJobRegistry
from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from helpdesk import clock
from helpdesk.db import OneOf
from helpdesk.redis_connections import connection
from helpdesk.sla.models import PENDING, SlaStage, TicketSla

if TYPE_CHECKING:
    from helpdesk.sla.escalation import Outcome

log = logging.getLogger(__name__)

QUEUE = "timers"
RETRY = Retry(max=5, interval=[2, 10, 30, 60, 300])
JOB_TIMEOUT = 60
STUCK = timedelta(seconds=2)  # a due timer still in the scheduled registry this long: enqueue it


def job_id(stage_id: int, fire_at: datetime) -> str:
    return f"sla-{int(fire_at.timestamp() * 1000):014d}-{stage_id}"


def schedule(redis: Redis, items: Iterable[tuple[int, datetime]]) -> int:
    """Schedule `fire(stage_id)` at each stage's time (code clock), or now if already due."""
    from helpdesk.sla.jobs import fire

    queue = Queue(QUEUE, connection=redis)
    now, real_now = clock.now(), datetime.now(UTC)
    count = 0
    # One round trip for a change's timers (a new ticket has six), not several per timer.
    with redis.pipeline() as pipeline:
        for stage_id, fire_at in items:
            options = {
                "job_id": job_id(stage_id, fire_at),
                "retry": RETRY,
                "job_timeout": JOB_TIMEOUT,
                "result_ttl": 600,
                "failure_ttl": 7 * 86400,
                "description": f"SLA stage {stage_id}",
                "pipeline": pipeline,
            }
            if fire_at <= now:
                queue.enqueue(fire, stage_id, **options)
            else:
                queue.enqueue_at(real_now + (fire_at - now), fire, stage_id, **options)
            count += 1
        pipeline.execute()
    return count


def schedule_after_commit(items: list[tuple[int, datetime]]) -> None:
    """Called after a timer job's change committed. Never fails it: Redis trouble is logged
    and the reconciler re-creates the timers from the database."""
    try:
        redis = connection()
        if redis is not None:
            schedule(redis, items)
    except RedisError as exc:
        log.warning("SLA timers not scheduled (%s); the reconciler will restore them", exc)


# Of given tickets (the outbox dispatcher's batch): found by ticket through the stages' unique
# index, and only each ticket's earliest pending stage (ties on its time both come, the id
# decides). `state || ''` keeps SQLite off the (state, fire_at) index: with it, each batch read
# every pending stage of the database, and the earliest's subquery did so again for each row.
_ANY = aliased(SlaStage)
_STILL_PENDING = (_ANY.state + "") == PENDING
_EARLIEST = (
    select(func.min(_ANY.fire_at))
    .where(_ANY.ticket_id == SlaStage.ticket_id, _STILL_PENDING)
    .scalar_subquery()
)
_NEXT_OF = (
    select(SlaStage.ticket_id, SlaStage.id, SlaStage.fire_at)
    .join(TicketSla, TicketSla.ticket_id == SlaStage.ticket_id)
    .where(
        OneOf(SlaStage.ticket_id, "ticket_ids"),  # see helpdesk/db.py
        (SlaStage.state + "") == PENDING,
        TicketSla.paused_at.is_(None),
        SlaStage.fire_at == _EARLIEST,
    )
)
# Of all tickets (the reconciler): every pending stage, by the (state, fire_at) index.
_NEXT = (
    select(SlaStage.ticket_id, SlaStage.id, SlaStage.fire_at)
    .join(TicketSla, TicketSla.ticket_id == SlaStage.ticket_id)
    .where(SlaStage.state == PENDING, TicketSla.paused_at.is_(None))
)


def next_timers(
    session: Session, ticket_ids: Sequence[int] | None = None
) -> list[tuple[int, datetime]]:
    """(stage id, fire time) of each ticket's earliest pending stage, paused tickets left out;
    of the tickets given, or of all."""
    if ticket_ids is not None and not ticket_ids:
        return []
    rows = (
        session.execute(_NEXT)
        if ticket_ids is None
        else session.execute(_NEXT_OF, {"ticket_ids": list(ticket_ids)})
    )
    earliest: dict[int, tuple[datetime, int]] = {}
    for owner, stage_id, fire_at in rows:
        if owner not in earliest or (fire_at, stage_id) < earliest[owner]:
            earliest[owner] = (fire_at, stage_id)
    return [(stage_id, fire_at) for fire_at, stage_id in earliest.values()]


def schedule_next(session: Session, ticket_id: int) -> None:
    """After a stage of the ticket fired or stopped: book the ticket's next timer, if any."""
    items = next_timers(session, [ticket_id])
    session.rollback()  # read only; end the transaction before talking to Redis
    if items:
        schedule_after_commit(items)


def _running(queue: Queue) -> set[str]:
    """Ids of the jobs a worker started less than STUCK ago. A fire takes milliseconds, so an
    older start is a worker killed mid-job: its job would sit in the registry until RQ calls it
    abandoned (a minute and a half later), so it is re-enqueued; the database lets one win."""
    ids = StartedJobRegistry(queue=queue).get_job_ids()
    recent = datetime.now(UTC) - STUCK
    return {
        job.id
        for job in Job.fetch_many(ids, connection=queue.connection)
        if job is not None and job.started_at is not None and _aware(job.started_at) > recent
    }


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


@dataclass(frozen=True)
class ReconcileResult:
    pending: int
    present: int
    restored: int


def reconcile(session: Session, redis: Redis) -> ReconcileResult:
    """Compare each ticket's next timer in the database with the jobs in Redis; re-create what
    is missing, and enqueue at once whatever is due but still waiting (a dead scheduler)."""
    rows = next_timers(session)
    queue = Queue(QUEUE, connection=redis)
    scheduled = set(ScheduledJobRegistry(queue=queue).get_job_ids())
    waiting = set(queue.get_job_ids())
    running = _running(queue)
    now = clock.now()
    missing: list[tuple[int, datetime]] = []
    for stage_id, fire_at in rows:
        key = job_id(stage_id, fire_at)
        if key in waiting or key in running:
            continue
        if key in scheduled and fire_at > now - STUCK:
            continue  # the scheduler has it and is not late with it
        missing.append((stage_id, fire_at))
    schedule(redis, missing)
    if missing:
        log.warning("SLA reconciler restored %d timer(s) Redis had lost", len(missing))
    return ReconcileResult(len(rows), len(rows) - len(missing), len(missing))


def catch_up(session: Session, redis: Redis) -> int:
    """Fire, here and in the order they fell due, the timers already due when a worker starts.

    A killed worker leaves its due timers behind as one queued job each; RQ's handling of a job
    costs several times the firing itself, so a worker that lives a few seconds between kills
    fell ever further behind (p99 22 s). Firing the backlog in batches (`fire_all_due`) clears
    it at the database's pace; a worker killed halfway leaves the rest, and the next timers, to
    the next start's catch-up and reconcile."""
    return len(fire_all_due(session, redis))


def fire_all_due(session: Session, redis: Redis, budget: float = 10.0) -> list[Outcome]:
    """Fire every stage due now, in batches (`escalation.fire_due`: one transaction each), with
    one outbox dispatch per batch (it books the fired tickets' next timers), then drop the
    batch's own timer jobs so RQ does not run them for nothing. Stops after `budget` seconds
    so other jobs get their turn; what is left keeps its jobs. Returns what each stage became."""
    from helpdesk.outbox import dispatcher
    from helpdesk.sla.escalation import BATCH, fire_due
    from helpdesk.sla.jobs import notify

    done: list[Outcome] = []
    until = time.monotonic() + budget
    while True:
        with dispatcher.held():  # one dispatch when the batch's commit is done
            outcomes = fire_due(session, BATCH)
        for outcome in outcomes:
            if outcome.result == "fired":
                notify(outcome)
        ids = [job_id(o.stage_id, o.fire_at) for o in outcomes if o.fire_at is not None]
        forget(redis, ids)
        stopped = [o.ticket_id for o in outcomes if o.result == "stopped" and o.ticket_id]
        if stopped:  # a stopped stage writes no event, so the outbox books nothing for it
            following = next_timers(session, stopped)
            session.rollback()
            schedule(redis, following)
        done += outcomes
        if len(outcomes) < BATCH or time.monotonic() > until:
            return done


def forget(redis: Redis, ids: Sequence[str]) -> None:
    """Drop timer jobs whose stage has been dealt with (scheduled, queued, and the job itself);
    one the scheduler moves meanwhile is found missing by the worker and skipped."""
    if not ids:
        return
    queue = Queue(QUEUE, connection=redis)
    registry = ScheduledJobRegistry(queue=queue)
    started = set(StartedJobRegistry(queue=queue).get_job_ids())  # left to RQ's own clean-up
    with redis.pipeline() as pipeline:
        for key in set(ids) - started:
            pipeline.zrem(registry.key, key)
            pipeline.lrem(queue.key, 0, key)
            pipeline.delete(Job.key_for(key))
        pipeline.execute()
