"""Counters for socket events (Flask-Limiter guards HTTP): fixed one-minute windows per key.

With a Redis URL the counters live in Redis, so every web process shares them; otherwise in
this process's memory. `limits` (Flask-Limiter's own engine) does the counting either way.
"""

from __future__ import annotations

from limits import RateLimitItemPerMinute
from limits.storage import MemoryStorage, Storage, storage_from_string
from limits.strategies import FixedWindowRateLimiter


class SocketLimits:
    def __init__(self, redis_url: str | None = None) -> None:
        found = storage_from_string(redis_url) if redis_url else MemoryStorage()
        if not isinstance(found, Storage):
            raise TypeError(f"{redis_url}: not a synchronous limits storage")
        self.storage: Storage = found
        self.limiter = FixedWindowRateLimiter(self.storage)

    def hit(self, kind: str, key: str, per_minute: int) -> bool:
        """Count one `kind` event for `key`; False once the minute's allowance is spent."""
        return self.limiter.hit(RateLimitItemPerMinute(per_minute), "chat", kind, key)

    def reset(self) -> None:
        self.storage.reset()
