"""The RQ side: one job per delivery attempt, the next one booked with backoff."""

from __future__ import annotations

import logging
from typing import Any

from rq import Queue

from helpdesk.redis_connections import connection

log = logging.getLogger(__name__)
QUEUE = "default"


def deliver_job(delivery_id: int) -> str:
    from helpdesk.extensions import db
    from helpdesk.webhooks import service

    wait = service.deliver(db.session(), delivery_id)
    if wait is None:
        return "done"
    redis = connection()
    if redis is not None:
        Queue(QUEUE, connection=redis).enqueue_in(wait, deliver_job, delivery_id)
    return f"retry in {int(wait.total_seconds())} s"


def enqueue(redis: Any, delivery_ids: list[int]) -> None:
    queue = Queue(QUEUE, connection=redis)
    for delivery_id in delivery_ids:
        queue.enqueue(deliver_job, delivery_id, job_timeout=60, result_ttl=300)


def send_now_or_queue(delivery_id: int) -> None:
    """A redelivery by hand: queued when there is a Redis, else sent in this request."""
    from helpdesk.extensions import db
    from helpdesk.webhooks import service

    redis = connection()
    if redis is None:
        service.deliver(db.session(), delivery_id)
    else:
        enqueue(redis, [delivery_id])
