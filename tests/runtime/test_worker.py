"""The RQ worker runs helpdesk jobs on both queues, inside the app, against the real Redis."""

from __future__ import annotations

import uuid

import pytest
from flask import Flask, current_app
from redis import Redis
from rq import Queue

from helpdesk.runner.jobs import ping
from helpdesk.runner.worker import QUEUES, build_worker

pytestmark = pytest.mark.slow


def app_name() -> str:
    return current_app.name


def test_burst_worker_runs_ping_on_every_queue(redis_url: str) -> None:
    connection = Redis.from_url(redis_url)
    keys = {name: f"test:ping:{uuid.uuid4().hex}" for name in QUEUES}
    jobs = [Queue(name, connection=connection).enqueue(ping, keys[name], name) for name in QUEUES]

    assert build_worker(redis_url).work(burst=True, with_scheduler=True)

    for job in jobs:
        job.refresh()
        assert job.is_finished, job.exc_info
    assert {name: connection.get(key) for name, key in keys.items()} == {
        name: name.encode() for name in QUEUES
    }


def test_jobs_run_inside_the_app(redis_url: str, app: Flask) -> None:
    job = Queue("default", connection=Redis.from_url(redis_url)).enqueue(app_name)
    build_worker(redis_url, app).work(burst=True)
    job.refresh()
    assert job.is_finished, job.exc_info
    assert job.return_value() == app.name
