"""CTI events for calls we never saw (answer or hangup with an unknown callId), counted.

They change nothing; the count tells an operator that a PBX loses newCall events or posts
another system's calls. In the app's Redis when it has one (every web process adds to the same
count), else in this process's memory.
"""

from __future__ import annotations

import logging
from collections import Counter

from flask import current_app, has_app_context
from redis import Redis, RedisError

from helpdesk import redis_connections

log = logging.getLogger(__name__)
KEY = "helpdesk:phone:stray-events"  # hash event -> count
_local: Counter[str] = Counter()


def _redis() -> Redis | None:
    if not has_app_context():
        return None
    url = current_app.extensions["helpdesk.settings"].redis_url
    return redis_connections.client(url) if url else None


def count(event: str) -> None:
    redis = _redis()
    if redis is None:
        _local[event] += 1
        return
    try:
        redis.hincrby(KEY, event, 1)
    except RedisError:  # a count is never worth failing the PBX's request
        log.exception("could not count a stray CTI %s", event)
        _local[event] += 1


def counts() -> dict[str, int]:
    """Stray events by kind, e.g. {"answer": 2, "hangup": 5}."""
    total: Counter[str] = Counter(_local)
    redis = _redis()
    if redis is not None:
        try:
            for name, value in redis.hgetall(KEY).items():
                total[name.decode() if isinstance(name, bytes) else name] += int(value)
        except RedisError:
            log.exception("could not read the stray CTI counts")
    return dict(total)


def reset() -> None:
    _local.clear()
    redis = _redis()
    if redis is not None:
        redis.delete(KEY)
