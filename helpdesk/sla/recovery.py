"""Noticing that Redis lost the timers, and restoring them from the database at once.

Redis only fires the timers; the database lists them (`timers.reconcile`). Redis can lose them
all: a FLUSHALL, a restarted server without persistence (the embedded one keeps nothing). A
worker blocked on its queues would notice only when the next periodic reconcile job ran, and
that job was lost too. So each worker keeps a sentinel key and looks for it every second or
so; a missing sentinel means the data went, and the worker reconciles before anything else. A
worker that starts also reconciles once: its predecessor may have been killed mid-job. Before
each reconcile it fires what is already due itself (`timers.catch_up`), rather than queueing a
job per due timer behind RQ's overhead.
"""

from __future__ import annotations

import logging
import time

from redis import Redis
from sqlalchemy.orm import Session

from helpdesk.sla import timers

log = logging.getLogger(__name__)

SENTINEL = "helpdesk:sla:sentinel"  # set while Redis holds the timers the database lists
CHECK_EVERY = 1.0  # seconds between looks at the sentinel


class TimerWatch:
    """Owned by one worker: `check()` is cheap and called whenever the worker wakes up."""

    def __init__(self, redis: Redis) -> None:
        self.redis = redis
        self.last_check = 0.0
        # At start, and once more when a job a killed predecessor had just started counts as
        # stuck (timers.STUCK after its start): both sit in the started registry meanwhile.
        again = time.monotonic() + timers.STUCK.total_seconds() + 1
        self.pending = [(0.0, "worker started"), (again, "worker started")]

    def check(self, session: Session) -> timers.ReconcileResult | None:
        """Reconcile when one is pending or the sentinel has gone; None when nothing was done."""
        now = time.monotonic()
        if now - self.last_check < CHECK_EVERY:
            return None
        self.last_check = now
        # Set before reconciling: a flush in between removes it again, so the next look repeats.
        lost = bool(self.redis.set(SENTINEL, "1", nx=True))
        due = [reason for at, reason in self.pending if at <= now]
        self.pending = [(at, reason) for at, reason in self.pending if at > now]
        if not due and not lost:
            return None
        reason = due[0] if due else "Redis lost its data"
        try:
            fired = timers.catch_up(session, self.redis)
            result = timers.reconcile(session, self.redis)
        except Exception:
            self.redis.delete(SENTINEL)  # so that the next look tries again
            raise
        finally:
            session.rollback()
        log.warning(
            "SLA timers reconciled (%s): %d due fired at once, %d pending, %d restored",
            reason,
            fired,
            result.pending,
            result.restored,
        )
        return result
