"""Jobs that prove the worker runs: `helpdesk.runner.jobs.ping` is enqueued by the runtime tests."""

from __future__ import annotations

from rq import get_current_job


def ping(key: str, value: str) -> str:
    """Write `value` under `key` in the worker's own Redis, so a caller can see the job ran."""
    job = get_current_job()
    if job is None:
        raise RuntimeError("ping runs inside an RQ worker")
    job.connection.set(key, value, ex=600)
    return value
