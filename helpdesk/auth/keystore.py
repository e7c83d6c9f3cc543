"""Short-lived keys shared by every web process: ended logins and login-failure counters.

In the app's Redis when it has one (every process sees the same keys), else in this process's
memory (tests, a single process). Expiry only reclaims space: decisions that depend on time
compare timestamps from helpdesk.clock stored in the values, so tests can drive them.
"""

from __future__ import annotations

import threading
import time

from helpdesk.redis_connections import connection

PREFIX = "helpdesk:auth:"

_lock = threading.Lock()
_memory: dict[str, tuple[str, float]] = {}  # key -> (value, real expiry)


def _live(key: str) -> str | None:
    found = _memory.get(key)
    if found is None:
        return None
    if found[1] <= time.monotonic():
        del _memory[key]
        return None
    return found[0]


def get(key: str) -> str | None:
    redis = connection()
    if redis is not None:
        raw = redis.get(PREFIX + key)
        return raw.decode() if isinstance(raw, bytes) else raw
    with _lock:
        return _live(key)


def put(key: str, value: str, ttl_seconds: int) -> None:
    redis = connection()
    if redis is not None:
        redis.set(PREFIX + key, value, ex=max(1, ttl_seconds))
        return
    with _lock:
        _memory[key] = (value, time.monotonic() + ttl_seconds)


def incr(key: str, ttl_seconds: int) -> int:
    """Add one; the count lives `ttl_seconds` from its first increment."""
    redis = connection()
    if redis is not None:
        count = int(redis.incr(PREFIX + key))
        if count == 1:  # EXPIRE NX needs Redis 7; the embedded server is 6.2
            redis.expire(PREFIX + key, max(1, ttl_seconds))
        return count
    with _lock:
        count = int(_live(key) or 0) + 1
        expires = _memory[key][1] if key in _memory else time.monotonic() + ttl_seconds
        _memory[key] = (str(count), expires)
        return count


def delete(*keys: str) -> None:
    redis = connection()
    if redis is not None:
        redis.delete(*(PREFIX + key for key in keys))
        return
    with _lock:
        for key in keys:
            _memory.pop(key, None)


def clear_memory() -> None:
    """Tests: forget this process's keys."""
    with _lock:
        _memory.clear()
