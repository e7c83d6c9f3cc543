"""Retention at the worker's maintenance: once a Hangzhou day across workers (a Redis key),
anonymise what is past its retention (helpdesk.retention.service)."""

from __future__ import annotations

import logging
from typing import Any

from helpdesk import clock

log = logging.getLogger(__name__)


def run(redis: Any) -> int:
    """How many records were anonymised (0 when another worker already ran today)."""
    from helpdesk.extensions import db
    from helpdesk.outbox.dispatcher import dispatch_all
    from helpdesk.retention import service
    from helpdesk.retention.config import retention_config

    day_key = f"helpdesk:retention:ran:{clock.local_today()}"
    if not redis.set(day_key, "1", nx=True, ex=2 * 86400):
        return 0
    result = service.run(db.session(), retention_config())
    if result.total:
        log.info("retention anonymised %s", result.counts)
    dispatch_all()
    return result.total
