"""kill -9 a real worker in the middle of an escalation: the step still happens exactly once."""

from __future__ import annotations

import os
import signal
import time

import pytest
from rq import Queue
from rq.registry import FailedJobRegistry, StartedJobRegistry

from helpdesk import redis_connections
from helpdesk.sla import timers
from helpdesk.sla.models import FIRED

from .conftest import hanging_worker, sla_events, stages

pytestmark = pytest.mark.slow


def wait_for(check, timeout: float, what: str):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def test_kill_9_mid_escalation_then_the_step_happens_exactly_once(
    session, redis, burst, due_escalation, settings, sla_redis_url, tmp_path
):
    ticket = due_escalation
    marker = tmp_path / "in-the-middle"
    worker = hanging_worker(settings, sla_redis_url, marker)
    try:
        wait_for(marker.exists, 60, "the worker to reach the middle of the escalation")
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(10)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait(10)
    assert sla_events(session, ticket.id) == []  # the half-done step left nothing behind
    session.rollback()

    queue = Queue(timers.QUEUE, connection=redis)
    started = StartedJobRegistry(queue=queue)
    assert len(started.get_job_ids()) == 1  # the job is stuck with its dead worker
    started.cleanup(timestamp=time.time() + 3600)  # what the next maintenance run does
    assert len(started.get_job_ids()) == 0

    # Both recovery paths run: RQ's Retry and the reconciler; the database lets one win.
    timers.reconcile(session, redis)
    session.rollback()
    burst()
    time.sleep(2.2)  # the retry's back-off (Retry interval 2 s, real time in RQ)
    build_worker_with_scheduler(redis)
    timers.reconcile(session, redis)
    session.rollback()
    burst()

    events = sla_events(session, ticket.id)
    assert [e.kind for e in events] == ["sla_escalate"]
    assert stages(session, ticket.id)[("first_response", "escalate", 0)].state == FIRED
    assert FailedJobRegistry(queue=queue).count == 0


def build_worker_with_scheduler(redis) -> None:  # type: ignore[no-untyped-def]
    from flask import current_app

    from helpdesk.runner.worker import build_worker

    url = current_app.extensions[redis_connections.REDIS_OVERRIDE]
    build_worker(url, current_app._get_current_object()).work(burst=True, with_scheduler=True)
