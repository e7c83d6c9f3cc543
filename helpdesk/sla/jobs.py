"""RQ jobs of the SLA: thin, taking ids; they run inside the app (runner.worker.AppWorker)."""

from __future__ import annotations

import logging
import math
import time
from datetime import UTC, datetime
from typing import Any

from rq import Queue
from rq.job import Job

from helpdesk import redis_connections
from helpdesk.sla import timers

log = logging.getLogger(__name__)

RECONCILE_EVERY = 60  # seconds


def fire(stage_id: int) -> str:
    """Fire one timer stage (see escalation.fire), and with it every other stage already due
    (timers.fire_all_due: in batches, not one RQ job each, which fell behind at 83/s)."""
    from helpdesk.extensions import db
    from helpdesk.sla.escalation import fire as fire_stage

    redis = redis_connections.connection()
    batch = timers.fire_all_due(db.session(), redis) if redis is not None else []
    mine = next((o for o in batch if o.stage_id == stage_id), None)
    if mine is not None:  # fired (or stopped) with the batch, its next timer booked there
        return mine.result
    outcome = fire_stage(db.session(), stage_id)  # waits out an early start of its own stage
    if outcome.result == "fired":
        notify(outcome)
    if outcome.ticket_id is not None and outcome.result in ("fired", "stopped", "done"):
        timers.schedule_next(db.session(), outcome.ticket_id)
    if redis is not None and outcome.result == "fired":
        timers.fire_all_due(db.session(), redis)  # what fell due while it waited
    return outcome.result


def notify(outcome: object) -> None:
    from helpdesk.realtime.notify import notify_sla

    try:
        notify_sla(outcome)
    except Exception:  # a live notification is best effort; the step is already recorded
        log.exception("SLA notification failed for %s", outcome)


def reconcile() -> dict[str, int]:
    """Dispatch outbox entries nobody dispatched (no web process running), restore lost
    timers, ask for a sealing run, and book the next run (a chain of jobs that the worker's
    maintenance re-starts if Redis lost it)."""
    from helpdesk.audit.jobs import request_seal
    from helpdesk.extensions import db
    from helpdesk.outbox.dispatcher import dispatch_all

    redis = redis_connections.connection()
    if redis is None:
        return {"pending": 0, "present": 0, "restored": 0}
    dispatch_all()
    try:
        result = timers.reconcile(db.session(), redis)
    finally:
        db.session.rollback()
    ensure_periodic(redis)
    request_seal(redis)
    return {"pending": result.pending, "present": result.present, "restored": result.restored}


def ensure_periodic(redis: Any) -> str:
    """Make sure a reconcile run is booked at the next whole minute (idempotent by job id)."""
    slot = (math.floor(time.time() / RECONCILE_EVERY) + 1) * RECONCILE_EVERY
    job_id = f"sla-reconcile-{slot}"
    if not Job.exists(job_id, connection=redis):
        Queue(timers.QUEUE, connection=redis).enqueue_at(
            datetime.fromtimestamp(slot, UTC), reconcile, job_id=job_id, job_timeout=600,
            result_ttl=RECONCILE_EVERY * 2,
        )  # fmt: skip
    return job_id


def on_worker_maintenance(redis: Any) -> None:
    """Called by the worker at start and at each maintenance run: restart the periodic chain
    after a Redis flush, and seal whatever waits."""
    from helpdesk.audit.jobs import request_seal

    ensure_periodic(redis)
    request_seal(redis)
